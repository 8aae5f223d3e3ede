#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tracetui::fuzzing::otlp_batch(data));
