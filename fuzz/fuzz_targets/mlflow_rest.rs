#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tracetui::fuzzing::mlflow_rest(data));
