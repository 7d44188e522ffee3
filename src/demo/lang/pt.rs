//! Portuguese (Brazilian) frames.

use super::Frames;

#[rustfmt::skip]
pub(super) static FRAMES: Frames = Frames {
    sep: " ",
    system: &["Você é um assistente prestativo.", "Você é um assistente simpático. Responda de forma breve e pergunte quando algo não estiver claro."],
    greetings: &["Oi!", "Olá.", "Bom dia!", "Oi, tudo bem?"],
    ask: &["Pode me ajudar a {ask}?", "Como faço para {ask}?", "Preciso {ask}.", "Estou tentando {ask} e travei.",
        "Qual é o melhor jeito de {ask}?", "Você me explica como {ask}?"],
    open: &["Claro!", "Boa pergunta.", "Fico feliz em ajudar com {t}.", "Vamos por partes.", "Com certeza."],
    close: &["Me avise se quiser que eu aprofunde {t}.", "Ajudou?", "Quer ver um exemplo concreto?"],
    example: &["Por exemplo: {c}", "Algo assim: {c}"],
    tool_intro: &["Vou conferir.", "Um momento, vou verificar {t}.", "Deixa eu checar algumas coisas sobre {t}."],
    tool_after: &["Pelo que encontrei:", "A verificação confirma."],
    followup: &["E sobre {t}?", "Pode dar um exemplo com {t}?", "Pode explicar melhor {t}?"],
    mild: &["Hmm, não tenho certeza de que isso está certo.", "Não foi bem isso que eu perguntei.", "Acho que você entendeu errado minha pergunta sobre {t}."],
    complain: &["Isso está errado, com {t} não funciona assim.", "Continua sem funcionar.", "Tentei e continuo com o mesmo problema com {t}.",
        "Não, isso está incorreto. Leia minha pergunta de novo.", "Você já sugeriu isso e não adiantou."],
    strong: &["É a terceira vez que você me dá uma resposta errada. Sério?", "Você está lendo minhas mensagens? Eu disse {t}!",
        "Isso é inútil. Perdi uma hora com isso."],
    give_up: &["Esquece, eu resolvo sozinho.", "Deixa pra lá, vou perguntar para outra pessoa."],
    apology: &["Você tem razão, errei sobre {t}.", "Desculpe, minha resposta anterior estava errada.", "Perdão, entendi errado sua pergunta."],
    thanks: &["Valeu, funcionou!", "Perfeito, obrigado.", "Ótimo, era exatamente isso.", "Obrigada! Agora faz sentido."],
    welcome: &["De nada! Boa sorte com {t}.", "Que bom que ajudou!"],
};
