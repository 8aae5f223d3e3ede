#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tracetui::fuzzing::pml_sse(data));
