//! Interned names: span and tool names repeat thousands of times, so each is stored once.

use std::collections::HashMap;
use std::sync::Arc;

/// A handle to an interned name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Sym(pub u32);

#[derive(Debug)]
pub struct Interner {
    map: HashMap<Arc<str>, Sym>,
    names: Vec<Arc<str>>,
}

impl Default for Interner {
    fn default() -> Self {
        let mut interner = Self {
            map: HashMap::new(),
            names: Vec::new(),
        };
        // Sym(0) is the empty name, so `Sym::default()` is always valid.
        interner.intern("");
        interner
    }
}

impl Interner {
    pub fn intern(&mut self, name: &str) -> Sym {
        if let Some(&sym) = self.map.get(name) {
            return sym;
        }
        let sym = Sym(self.names.len() as u32);
        let name: Arc<str> = Arc::from(name);
        self.names.push(name.clone());
        self.map.insert(name, sym);
        sym
    }

    pub fn get(&self, name: &str) -> Option<Sym> {
        self.map.get(name).copied()
    }

    pub fn resolve(&self, sym: Sym) -> &str {
        self.names.get(sym.0 as usize).map_or("", |name| name)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.len() <= 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_name_same_sym_and_round_trip() {
        let mut interner = Interner::default();
        let a = interner.intern("read_file");
        let b = interner.intern("write_file");
        assert_ne!(a, b);
        assert_eq!(interner.intern("read_file"), a);
        assert_eq!(interner.resolve(b), "write_file");
        assert_eq!(interner.resolve(Sym::default()), "");
        assert_eq!(interner.resolve(Sym(999)), "");
    }
}
