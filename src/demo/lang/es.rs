//! Spanish frames.

use super::Frames;

#[rustfmt::skip]
pub(super) static FRAMES: Frames = Frames {
    sep: " ",
    system: &["Eres un asistente útil.", "Eres un asistente amable. Responde de forma breve y pregunta si algo no está claro."],
    greetings: &["¡Hola!", "Buenas.", "Hola, ¿qué tal?", "¡Buenos días!"],
    ask: &["¿Me ayudas a {ask}?", "¿Cómo puedo {ask}?", "Necesito {ask}.", "Estoy intentando {ask} y no lo consigo.",
        "¿Cuál es la mejor forma de {ask}?", "¿Me explicas cómo {ask}?"],
    open: &["¡Claro!", "Buena pregunta.", "Con gusto te ayudo con {t}.", "Vamos por partes.", "Por supuesto."],
    close: &["Dime si quieres que profundice en {t}.", "¿Te sirve?", "¿Quieres que lo veamos con un ejemplo concreto?"],
    example: &["Por ejemplo: {c}", "Algo así: {c}"],
    tool_intro: &["Déjame comprobarlo.", "Un momento, reviso lo de {t}.", "Voy a comprobar un par de cosas sobre {t}."],
    tool_after: &["Según lo que encontré:", "La comprobación lo confirma."],
    followup: &["¿Y qué pasa con {t}?", "¿Me das un ejemplo con {t}?", "¿Puedes explicar un poco más {t}?"],
    mild: &["Mmm, no estoy seguro de que sea así.", "Eso no es exactamente lo que pregunté.", "Creo que no entendiste mi pregunta sobre {t}."],
    complain: &["Eso está mal, con {t} no funciona así.", "Sigue sin funcionar.", "Lo probé y tengo el mismo problema con {t}.",
        "No, eso es incorrecto. Lee otra vez mi pregunta.", "Ya me sugeriste eso y no sirvió."],
    strong: &["Es la tercera vez que me das una respuesta equivocada. ¿En serio?", "¿Estás leyendo mis mensajes? ¡Dije {t}!",
        "Esto no sirve para nada. He perdido una hora."],
    give_up: &["Olvídalo, lo resolveré yo.", "Déjalo, le preguntaré a otra persona."],
    apology: &["Tienes razón, me equivoqué con {t}.", "Perdona, mi respuesta anterior era incorrecta.", "Disculpa, entendí mal tu pregunta."],
    thanks: &["¡Gracias, funcionó!", "Perfecto, gracias.", "Genial, justo lo que necesitaba.", "¡Gracias! Ahora tiene sentido."],
    welcome: &["¡De nada! Suerte con {t}.", "¡Me alegra que te sirva!"],
};
