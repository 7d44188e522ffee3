//! French frames.

use super::Frames;

#[rustfmt::skip]
pub(super) static FRAMES: Frames = Frames {
    sep: " ",
    system: &["Tu es un assistant serviable.", "Tu es un assistant sympathique. Réponds brièvement et pose une question si la demande est floue."],
    greetings: &["Bonjour !", "Salut !", "Bonsoir.", "Bonjour, j'espère que tu vas bien."],
    ask: &["Tu peux m'aider à {ask} ?", "Comment faire pour {ask} ?", "J'ai besoin de {ask}.", "J'essaie de {ask} et je bloque.",
        "Quelle est la meilleure façon de {ask} ?", "Tu peux m'expliquer comment {ask} ?"],
    open: &["Bien sûr !", "Bonne question.", "Avec plaisir, regardons {t}.", "Allons-y étape par étape.", "Évidemment."],
    close: &["Dis-moi si tu veux que j'approfondisse {t}.", "Ça t'aide ?", "Tu veux un exemple concret ?"],
    example: &["Par exemple : {c}", "Quelque chose comme : {c}"],
    tool_intro: &["Je vérifie.", "Un instant, je regarde ce qu'il en est pour {t}.", "Je vérifie deux ou trois choses sur {t}."],
    tool_after: &["D'après ce que j'ai trouvé :", "La vérification le confirme."],
    followup: &["Et pour {t} ?", "Tu peux me donner un exemple avec {t} ?", "Tu peux m'en dire plus sur {t} ?"],
    mild: &["Hum, je ne suis pas sûr que ce soit juste.", "Ce n'est pas tout à fait ma question.", "Je crois que tu as mal compris ma question sur {t}."],
    complain: &["C'est faux, pour {t} ça ne marche pas comme ça.", "Ça ne marche toujours pas.", "J'ai essayé et j'ai le même problème avec {t}.",
        "Non, c'est incorrect. Relis ma question.", "Tu m'as déjà proposé ça et ça n'a rien changé."],
    strong: &["C'est la troisième fois que tu me donnes une mauvaise réponse. Sérieusement ?", "Tu lis mes messages ? J'ai dit {t} !",
        "C'est inutile. J'ai perdu une heure."],
    give_up: &["Laisse tomber, je vais me débrouiller.", "Tant pis, je demanderai à quelqu'un d'autre."],
    apology: &["Tu as raison, je me suis trompé sur {t}.", "Désolé, ma réponse précédente était fausse.", "Pardon, j'ai mal lu ta question."],
    thanks: &["Merci, ça marche !", "Parfait, merci.", "Super, c'est exactement ce qu'il me fallait.", "Merci ! C'est plus clair maintenant."],
    welcome: &["Avec plaisir ! Bon courage avec {t}.", "Content que ça t'aide !"],
};
