#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| c2goasm_rs_fuzz::prototype(data));
