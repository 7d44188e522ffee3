//! Phrases that say when, not what. Simulated and real booking dialogues
//! are full of dates ("March 6th", "Till the 12th", "Month until March"),
//! and a cluster's commonest phrase can be one of them; but a date is
//! mostly a detail of each request, not its topic, so such a phrase is
//! never a name option, alone or in a pair. A cluster of requests about
//! dates ("what day is the twenty second") still gets one from the
//! fallbacks (its shared wording, its central request).

use super::phrases::content_word;

/// Month and weekday names with their short forms, words of time, and
/// numbers written out, as spoken requests write them ("twenty second").
const CALENDAR: &str = "
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat
sun today tomorrow tonight yesterday morning afternoon evening night noon midnight
day days week weeks weekend month months year years date dates till o'clock quarter half past
two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
seventeen eighteen nineteen twenty thirty second third fourth fifth sixth seventh eighth ninth
tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth
nineteenth twentieth thirtieth
";

/// Whether the normalised word says when: a [`CALENDAR`] word, a number,
/// an ordinal ("12th", "1st") or a time ("6pm", "10:30").
fn calendar_word(w: &str) -> bool {
    if CALENDAR.split_whitespace().any(|c| c == w) {
        return true;
    }
    let digits = w.trim_start_matches(|c: char| c.is_ascii_digit() || c == ':');
    digits.len() < w.len() && matches!(digits, "" | "st" | "nd" | "rd" | "th" | "am" | "pm")
}

/// Whether the phrase of normalised words `norms` says only when: each of
/// its content words is a date or a time, and it has at least one.
pub(super) fn only_when(norms: &[String]) -> bool {
    let mut content = norms.iter().filter(|w| content_word(w)).peekable();
    content.peek().is_some() && content.all(|w| calendar_word(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(s: &str) -> Vec<String> {
        s.to_lowercase().split(' ').map(String::from).collect()
    }

    #[test]
    fn dates_and_times_alone_say_when() {
        for when in [
            "March 6th",
            "Till the 12th",
            "Month until March",
            "Quarter past 6pm",
            "Twenty second",
        ] {
            assert!(only_when(&norms(when)), "{when}");
        }
        for what in [
            "Plan to return March 6th",
            "Change the date of my flight",
            "Weekend getaway ideas",
            "The",
        ] {
            assert!(!only_when(&norms(what)), "{what}");
        }
    }
}
