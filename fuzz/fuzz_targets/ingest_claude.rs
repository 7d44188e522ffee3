//! The claude loader on arbitrary bytes (format forced, so every byte reaches it).
#![no_main]

use kura_tui_fuzz::harness;
use kura_tui_fuzz::ingest::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| harness::check_format(Format::Claude, data));
