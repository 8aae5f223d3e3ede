//! Node's compile cache for the renderer. poml's CLI is one 40 MB script, and compiling it
//! is a fifth of every render (`tracetui render` of a corpus call: 0.90-0.99 s cold,
//! 0.72-0.77 s warm): node keeps the compiled code in a folder of ours (only poml's code is
//! cached, never a prompt or a context) and the next render starts from it. Node before 22.1 ignores the variable. A
//! `NODE_COMPILE_CACHE` the user set is theirs and left alone; `NODE_DISABLE_COMPILE_CACHE=1`
//! turns it off.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The folder to hand node, made (private) on first use; `None` when the user set their own
/// or there is nowhere to keep it.
pub fn dir() -> Option<&'static Path> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    if std::env::var_os("NODE_COMPILE_CACHE").is_some() {
        return None;
    }
    DIR.get_or_init(|| {
        let dir = under(
            std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from),
            std::env::var_os("HOME").map(PathBuf::from),
        )?;
        crate::untrusted::private_files::create_dir_all(&dir).ok()?;
        Some(dir)
    })
    .as_deref()
}

/// `$XDG_CACHE_HOME/tracetui/node-compile-cache`, else under `~/.cache`; an empty or
/// relative variable is as good as unset (the XDG rule).
fn under(xdg_cache: Option<PathBuf>, home: Option<PathBuf>) -> Option<PathBuf> {
    let absolute = |p: PathBuf| p.is_absolute().then_some(p);
    let cache = xdg_cache
        .and_then(absolute)
        .or_else(|| home.and_then(absolute).map(|h| h.join(".cache")))?;
    Some(cache.join("tracetui").join("node-compile-cache"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_folder_follows_the_xdg_rules() {
        let p = |s: &str| Some(PathBuf::from(s));
        assert_eq!(under(p("/c"), p("/h")), p("/c/tracetui/node-compile-cache"));
        assert_eq!(
            under(None, p("/h")),
            p("/h/.cache/tracetui/node-compile-cache")
        );
        assert_eq!(
            under(p("relative"), p("/h")),
            p("/h/.cache/tracetui/node-compile-cache")
        );
        assert_eq!(under(p(""), None), None);
    }
}
