//! A small built-in stop-word list for keyword extraction: the commonest
//! function words of English, Spanish, French, German, Portuguese, Italian
//! and Dutch, plus words every conversation summary uses ("user", "asks", and the
//! offline summariser's "overall request", "task", "answer the question").
//! Each of the other languages also lists its ways of asking for help, as
//! the English list does ("help", "trying", "way", "explain", "need"):
//! without them a cluster of one language is named by how its members ask
//! ("komme nicht weiter", "peux m'expliquer comment"). Words that are also
//! English content words ("comment", "ton", "fare", "ben", "dir", "wilt")
//! are left out.
//! Words under three letters are not listed: the tokenizer drops them.

use std::sync::LazyLock;

use rustc_hash::FxHashSet;

const WORDS: &str = "
about above after again against all also among and any are around because been before being
below between both but can cannot could did does doing done down during each either else
even ever every few for from further get gets getting got had has have having her here hers
herself him himself his how however into its itself just least less let like made make makes
making many may might more most much must near need needs nor not now off often once one only
onto other others our ours ourselves out over own per perhaps please quite rather really same
shall she should since some such than that the their theirs them themselves then there these
they thing things this those though through thus too toward towards under until upon use used
uses using very via want was way well were what whatever when where whether which while who
whom whose why will with within without would yes yet you your yours yourself yourselves guys
also etc able across along already although always another anyone anything become becomes
besides beyond certain come comes different does done eight five four first give given goes
going gone keep kind know known last later lot lots new next nine nothing old put said say
says see seem seems seen several show shows six something still take takes tell ten three
two told try tries trying went whose zero
user users assistant assistants asks asked asking ask wants wanted wanting help helps helped
helping request requests requested requesting seeking seeks looking conversation
overall task tasks question questions answer answers explain explains explained
los las del una uno unos unas por para con sin sobre entre pero como más mas muy esta este
esto estos estas ese esa eso esos esas aquel que qué cual cuál cuando donde dónde quien cómo
quién sus ser son fue era han hay tiene tienen hacer puede pueden también tambien porque
todo todos toda todas otro otra otros otras mismo misma nos les usted ustedes ella ellos
ellas nosotros vosotros está están estar sido siendo desde hasta cada algo alguien nada
les des une uns est sont été être avoir avait ont pas plus pour par avec sans sur sous dans
entre mais comme que qui quoi quel quelle quels quelles dont cette ces cet son ses leur leurs
nous vous ils elles elle lui aux était fait faire peut peuvent aussi très tres tout tous
toute toutes autre autres même meme car donc alors chez vers
der die das den dem des ein eine einer eines einem einen und oder aber nicht ist sind war
waren wird werden wurde wurden hat haben hatte mit von für fur auf aus bei nach über uber
unter vor zum zur ich sie wir ihr mich dich sich uns euch ihn ihm ihnen sein seine ihre
dass daß wie was wer wenn weil auch noch nur schon sehr mehr kann können konnen muss
müssen soll sollen will wollen diese dieser dieses diesem diesen jede jeder jedes
uma umas uns dos das nas nos pela pelo pelas pelos com sem sobre mas como que quando onde
quem seu sua seus suas ele ela eles elas nós você vocês foi era são estar está estão ter
tem têm fazer pode podem também muito muita muitos muitas mais isso isto esse essa este
della delle dello degli dei del gli una uno che chi cui non per con tra fra sono era erano
essere avere hanno questo questa questi queste quello quella anche molto molta più piu
come dove quando suo sua suoi loro
een het van voor met aan bij naar over onder uit dat die dit deze zijn was waren heeft
hebben niet ook maar als dan wat wie waar wanneer hoe omdat worden wordt werd kan kunnen
moet moeten zal zullen veel meer
kannst könntest helfen hilf hilfe brauche brauchen braucht benötige möchte möchten gerne gern
schaffe schaffen versuche versuchen versucht komme kommen kommt weiter beste besten weg
weiß weiss wissen erklären erkläre erklär frage fragen weise habe hast bitte mein meine meinen
meinem meiner meines dein deine deinen dabei mir suche suchen mache machen
peux pouvez pourrais pourriez puis aide aider aidez m'aider essaie essaye essayer j'essaie
bloque besoin veux voudrais voulez sais savoir expliquer explique expliquez m'expliquer j'ai
demande demander façon facon manière maniere moyen meilleure meilleur notre nos votre vos
suis cherche chercher
ayuda ayudas ayudar ayúdame ayudame intento intentando intentar tratando consigo forma manera
modo mejor necesito quiero quisiera saber explicar explica explicas explícame explicame
pregunta preguntas mis tengo estoy puedo puedes podrías podrias busco buscando
ajuda ajudar pode tento tentando tentar travei faço faco jeito maneira melhor preciso quero
gostaria sei explique perguntas meu minha meus minhas estou posso poderia procuro procurando
qual quais você voce
aiuto aiutare aiutami provo provando provare cerco cercando maniera modo migliore bisogno
voglio vorrei sapere spiegare spiega spiegami domanda domande mio mia miei mie sto puoi
potresti quale
hulp helpen probeer proberen probeert manier beste nodig wil weten weet uitleggen vraag vragen
mijn heb hebt kun kunt zoek zoeken doen
etwa gerade immer jetzt bereits c'est dois doit environ déjà tenho não nao tudo bem ainda aqui
todavía todavia
";

// FxHash: asked once per word of every text named, where SipHash showed.
static STOPWORDS: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| WORDS.split_whitespace().collect());

/// Whether `word` (lowercase) is a stop word.
pub(crate) fn is_stopword(word: &str) -> bool {
    STOPWORDS.contains(word)
}
