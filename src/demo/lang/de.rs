//! German frames. Requests are zu-infinitive clauses.

use super::Frames;

#[rustfmt::skip]
pub(super) static FRAMES: Frames = Frames {
    sep: " ",
    system: &["Du bist ein hilfreicher Assistent.", "Du bist ein freundlicher Assistent. Antworte knapp und frag nach, wenn etwas unklar ist."],
    greetings: &["Hallo!", "Hi!", "Guten Morgen!", "Servus."],
    ask: &["Kannst du mir helfen, {ask}?", "Wie schaffe ich es, {ask}?", "Ich versuche, {ask}, und komme nicht weiter.",
        "Ich brauche Hilfe dabei, {ask}.", "Was ist der beste Weg, {ask}?"],
    open: &["Klar!", "Gute Frage.", "Gern helfe ich dir beim Thema {t}.", "Gehen wir das Schritt für Schritt durch.", "Natürlich."],
    close: &["Sag Bescheid, wenn ich beim Thema {t} tiefer einsteigen soll.", "Hilft dir das?", "Soll ich ein konkretes Beispiel zeigen?"],
    example: &["Zum Beispiel: {c}", "Etwa so: {c}"],
    tool_intro: &["Ich schaue kurz nach.", "Einen Moment, ich prüfe das.", "Ich prüfe das kurz, Stichwort {t}."],
    tool_after: &["Laut den Ergebnissen:", "Die Prüfung bestätigt das."],
    followup: &["Und was ist mit dem Thema {t}?", "Kannst du ein Beispiel zum Thema {t} geben?", "Kannst du das Thema {t} genauer erklären?"],
    mild: &["Hm, ich bin nicht sicher, ob das stimmt.", "Das ist nicht ganz meine Frage.", "Ich glaube, du hast meine Frage zum Thema {t} falsch verstanden."],
    complain: &["Das ist falsch, beim Thema {t} läuft das anders.", "Es funktioniert immer noch nicht.", "Hab ich probiert, beim Thema {t} habe ich immer noch dasselbe Problem.",
        "Nein, das stimmt nicht. Lies meine Frage bitte noch mal.", "Das hast du schon vorgeschlagen und es hat nicht geholfen."],
    strong: &["Das ist jetzt die dritte falsche Antwort. Im Ernst?", "Liest du überhaupt, was ich schreibe? Ich sagte: {t}!",
        "Das ist nutzlos. Ich habe eine Stunde verloren."],
    give_up: &["Vergiss es, ich löse das selbst.", "Egal, ich frage jemand anderen."],
    apology: &["Du hast recht, beim Thema {t} habe ich mich geirrt.", "Entschuldige, meine vorige Antwort war falsch.", "Sorry, ich habe deine Frage falsch gelesen."],
    thanks: &["Danke, es klappt!", "Perfekt, danke.", "Super, genau das habe ich gebraucht.", "Danke! Jetzt ergibt es Sinn."],
    welcome: &["Gern! Viel Erfolg weiterhin.", "Freut mich, dass es hilft!"],
};
