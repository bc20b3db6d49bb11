#![no_main]
// See cyzen_senselink_fuzz::targets::senselink_events for what this target reads and checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| cyzen_senselink_fuzz::targets::senselink_events(data));
