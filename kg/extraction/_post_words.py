"""Word lists the post rules read (see :mod:`._posts`): what joins a title's words, which words describe a
holder rather than name a post, which verbs give a post, and the roles the general lexicon lacks."""

from __future__ import annotations

from ._lexicon import NAME_TITLES

__all__ = [
    "CONNECTORS", "ORG_PREPS", "COPULAS", "HYPOTHETICAL", "MODALS", "OPINION", "PERSONAL", "RELATIVES", "APPOINTING",
    "AS_VERBS", "TENURE", "NOT_TITLE_POS", "PRAISE", "TITLE_PARTICIPLES", "NOT_POSTS", "MORE_ROLES", "NAME_ONLY",
    "JUDGEMENTS",
    "DATE_WORDS", "TITLE_GENERAL", "SHIRT_NUMBERS", "NAME_ORG_PREPS",
    "AFTER_NUMBER", "POSITIONS", "POSITION_VERBS", "TEMPORAL", "ORG_NOUNS",
]

CONNECTORS = frozenset({"and", "to", "of", "for", "at"})
# "with" as in "an economist with UFJ Bank".
ORG_PREPS = frozenset({"of", "at", "for", "to", "in", "with"})
COPULAS = frozenset({"be", "become", "remain"})
HYPOTHETICAL = frozenset({"if", "unless", "whether"})
MODALS = frozenset({"would", "could", "might", "should", "may", "'d"})
# What a copula says of how well someone does a job, not which post they hold ("he has been a prudent chancellor").
OPINION = frozenset({"good", "great", "fine", "excellent", "brilliant", "fantastic", "terrible", "poor", "bad",
    "prudent", "competent", "incompetent", "strong", "weak", "real", "true", "natural", "born", "valuable",
    "important", "vital", "useful", "major", "big", "huge", "regular", "frequent", "keen", "passionate", "loyal",
    "wonderful", "superb", "amazing", "terrific", "outstanding", "exceptional", "decent", "lousy", "mediocre",
    "capable", "gifted", "fabulous", "awful", "dreadful", "marvellous", "remarkable"})
PERSONAL = {"he": "m", "his": "m", "him": "m", "she": "f", "her": "f"}  # pronoun -> who it can stand for
# Nouns that name another person than their possessor: "his predecessor as chief executive" is not his post.
RELATIVES = frozenset({"predecessor", "successor", "replacement", "counterpart", "rival", "opponent",
    "challenger", "deputy", "boss", "wife", "husband", "son", "daughter", "father", "mother"})
# Verbs that give their object a post ("appointed X chief executive", "named X as chairman").
APPOINTING = frozenset({"appoint", "name", "elect", "re-elect", "install", "choose", "select", "hire", "nominate",
    "promote", "confirm", "reappoint", "recruit", "make", "create"})
# Verbs whose subject holds (or held) the post after "as": "served as", "took over as", "joined X as".
AS_VERBS = frozenset({"serve", "act", "take", "join", "succeed", "replace", "remain", "stay", "continue", "return",
    "resign", "quit", "step", "retire", "start", "begin", "work", "sign"})
# Words before a title that say when or how well it was held, not what it is: "new boss", "former leader",
# "youngest premier", "But Prime Minister" (a sentence's first word is capitalised like a title).
TENURE = frozenset({"new", "former", "ex", "then", "acting", "interim", "outgoing", "incoming", "current",
    "late", "future", "newly", "recently", "longtime", "long-time", "serving", "sitting"})
NOT_TITLE_POS = frozenset({"CCONJ", "SCONJ", "ADV", "INTJ", "DET", "PRON", "ADP", "PART", "NUM"})
# Words in front of a role noun that praise or describe its holder rather than name the post.
PRAISE = frozenset({
    "legendary", "veteran", "influential", "famed", "famous", "renowned", "well-known", "key", "fellow", "top",
    "leading", "pioneering", "respected", "prominent", "controversial", "outspoken", "popular", "successful",
    "celebrated", "distinguished", "acclaimed", "award-winning", "best-selling", "bestselling", "young", "old",
    "experienced", "charismatic", "flamboyant", "colourful", "colorful", "maverick", "talented", "beleaguered",
    "embattled", "disgraced", "jailed", "murdered", "assassinated", "exiled", "ousted", "deposed",
})
# Participles that are part of a title ("managing director"), unlike "newly-appointed" or "Oscar-winning".
TITLE_PARTICIPLES = frozenset({"managing", "presiding", "commanding", "governing", "ruling", "founding",
    "operating", "executive", "supervising", "consulting", "visiting"})
# Role nouns that describe someone rather than name a post they hold ("Hollywood star", "pop star").
NOT_POSTS = frozenset({"star", "stars"})
# Occupations the lexicon's role nouns lack (to move into ``_lexicon.ROLE_HEADS``).
MORE_ROLES = frozenset({"student", "teacher", "headteacher", "nurse", "officer", "official", "campaigner",
    "activist", "consultant", "banker", "trader", "broker", "entrepreneur", "investor",
    "businessman", "businesswoman", "historian", "academic", "physicist", "biologist",
    "chemist", "psychologist", "photographer", "film-maker", "filmmaker", "playwright",
    "poet", "screenwriter", "broadcaster", "commentator", "pundit", "referee", "manager",
    "winger", "forward", "full-back", "fly-half", "scrum-half", "prop", "hooker", "lock",
    "bowler", "batsman", "jockey", "trainer", "boxer", "sprinter", "athlete", "skipper",
    "centre", "flanker", "kicker", "half-back", "wing", "centre-back", "centre-half", "sweeper",
    "wicketkeeper", "keeper", "champion", "peer", "dramatist", "sculptor", "painter", "artist", "scriptwriter",
    "lyricist", "conductor", "dancer", "choreographer", "chef", "cyclist", "golfer", "swimmer", "skater",
    "frontman", "frontwoman", "bassist", "keyboardist", "pianist", "violinist", "cellist", "saxophonist",
    "songwriter", "singer-songwriter", "percussionist", "trumpeter", "soprano", "tenor", "baritone"})
# Titles that begin a name without being a post ("Prince Harry", "Rabbi Marvin Hier"); unlike these,
# "President Bush" and "Senator McCain" name the post.
NAME_ONLY = NAME_TITLES - {"president", "senator", "governor", "judge"}
# Superlatives that make a copula an award or a judgement ("was best actress", "is the best striker").
JUDGEMENTS = frozenset({"best", "worst", "greatest", "finest", "biggest"})
# Day and month names that a capitalised premodifier chain picks up: "on Wednesday Prime Minister Yulia
# Tymoshenko" is not a "Wednesday Prime Minister".
DATE_WORDS = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february march april
june july august september october november december""".split())
# Role nouns that "general" completes as a title rather than as a rank: "attorney general", "secretary general",
# "director general" (a rank's "general" follows a rank word: "Brigadier General", "Major General").
TITLE_GENERAL = frozenset({"attorney", "secretary", "director", "governor", "surgeon", "solicitor", "postmaster",
                           "inspector", "auditor", "consul", "procurator", "registrar", "accountant"})
# "number eight" (rugby) and "number 10" name a position by a shirt number.
SHIRT_NUMBERS = frozenset({"eight", "8", "nine", "9", "ten", "10"})
# Words that put a titled name in its organisation: "economist Marie-Pierre Ripert at IXIS", "analyst Orin
# Middleton of Barclays Capital", "economist Jim O'Neill with Goldman Sachs".
NAME_ORG_PREPS = frozenset({"at", "of", "with"})
# What a number leaves in front of a title once the number is dropped: "60m champion", "four-time champion".
AFTER_NUMBER = frozenset({"m", "km", "metre", "metres", "mile", "miles", "time", "times"})
# Team positions a player is played "at" (rugby, football, hockey): "continue at centre", "start at fly-half".
POSITIONS = frozenset({"centre", "fly-half", "scrum-half", "full-back", "wing", "lock", "prop", "hooker", "flanker",
                       "stand-off", "outside-half", "centre-back", "centre-half", "sweeper", "left-back",
                       "right-back", "wing-back", "striker", "goalkeeper", "keeper"})
# Verbs that put a player at a position: "is expected to continue at centre", "was picked at lock".
POSITION_VERBS = frozenset({"play", "start", "continue", "line", "field", "pick", "select", "deploy", "move",
                            "switch", "partner", "stay", "remain", "operate", "return", "come", "slot", "feature",
                            "keep", "retain", "replace", "named", "name"})
# Conjunctions whose clause, in the present tense, is about the future: "after Charles becomes king".
TEMPORAL = frozenset({"after", "once", "when", "until", "till", "before"})
# Nouns by which an article calls an organisation it has named: "the firm's finance director".
ORG_NOUNS = frozenset({"firm", "company", "group", "bank", "club", "airline", "carrier", "retailer", "chain",
                       "broadcaster", "network", "studio", "label", "agency", "charity", "union", "regulator",
                       "watchdog", "giant", "maker", "insurer", "operator", "publisher"})
