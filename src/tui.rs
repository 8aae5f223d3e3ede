//! Placeholder.
pub fn run(_paths: Vec<std::path::PathBuf>) -> color_eyre::Result<()> {
    Ok(())
}
