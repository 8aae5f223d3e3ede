//! Prints the key table in Markdown (the README's copy is checked against it by a test).
fn main() {
    print!("{}", tracetui::app::keymap::markdown_table());
}
