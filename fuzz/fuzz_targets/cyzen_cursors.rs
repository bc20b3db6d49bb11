#![no_main]
// See cyzen_senselink_fuzz::targets::cyzen_cursors for what this target reads and checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| cyzen_senselink_fuzz::targets::cyzen_cursors(data));
