"""The deterministic intent rules: ordered regular expressions over normalised text.

Text is normalised first (:func:`normalise`): lower case, typographic quotes
unified, fillers (``ok``, ``now``, ``hey maestro``) and polite wrappers
(``can you ...``, ``could you please ...``, ``can I get ...``) removed. A
polite wrapper turns a question-shaped request into an imperative, so
``"Can you set the BPM to 140?"`` is an edit, not a question.

Rules are tried in :data:`RULES` order and the first match wins; the order
encodes precedence (chat and transport before questions, questions before
any action, DAW edits before new material, specific edits before generic
ones). :func:`match_rules` returns the winning rule, or ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from maestro_lab.intent.model import LABELS, Intent

_FILLERS: Final = re.compile(
    r"^(?:hey maestro|maestro|hey|ok(?:ay)?|alright|right|so|now|and|also|then|yo|um+|uh+"
    r"|well|please|pls|plz|just|actually|cool|great)[,!.:]?\s+"
)
_POLITE: Final = re.compile(
    r"^(?:(?:can|could|would|will) (?:you|u|we)(?: please| pls)?|(?:i'?d like|i want|i need) you to"
    r"|please)\s+"
)
_CAN_I: Final = re.compile(r"^(?:can|could|may) (?:i|we) (?:get|have|hear)\s+")
_TRAILING: Final = re.compile(
    r"(?:[\s,]+(?:please|pls|plz|thanks|thank you|thx|for me|now|idk|lol|i guess|or something"
    r"|or whatever|asap))+$"
)
_CASUAL: Final = (
    (re.compile(r"\bgimme\b"), "give me"),
    (re.compile(r"\blemme\b"), "let me"),
    (re.compile(r"\bwanna\b"), "want to"),
    (re.compile(r"\bgonna\b"), "going to"),
    (re.compile(r"\bu\b"), "you"),
    (re.compile(r"\bur\b"), "your"),
    (re.compile(r"\bteh\b"), "the"),
    (re.compile(r"\b(?:wat|wht)\b"), "what"),
    (re.compile(r"\b(?:wats|whats)\b"), "what's"),
    (re.compile(r"\bhw\b"), "how"),
    (re.compile(r"(?<![&'])\br\b(?![&']| (?:and|n) b\b)"), "are"),
    (re.compile(r"\b(key|tempo|bpm|it|change|set|switch|go|down|up|back) 2 "), r"\1 to "),
    (re.compile(r"\b(\d{2,3})\s*(?:bpm|b\.p\.m\.?|beats (?:per|a) minute)"), r"\1 bpm"),
    (re.compile(r"\b(half|double)[- ]?time\b"), r"\1-time"),
)
"""Casual spellings and the spellings of a tempo, rewritten to one form."""
COMMAND_WORDS: Final = (
    "make",
    "create",
    "compose",
    "write",
    "generate",
    "produce",
    "build",
    "give",
    "play",
    "stop",
    "pause",
    "record",
    "loop",
    "mute",
    "unmute",
    "solo",
    "set",
    "change",
    "switch",
    "add",
    "remove",
    "delete",
    "transpose",
    "quantize",
    "quantise",
    "humanize",
    "rename",
    "duplicate",
    "regenerate",
    "continue",
    "extend",
    "undo",
    "redo",
    "explain",
    "what",
    "tempo",
    "reverb",
    "delay",
    "track",
    "drums",
    "melody",
    "chorus",
    "verse",
    "bass",
    "louder",
    "quieter",
    "faster",
    "slower",
    "wider",
    "punch",
    "volume",
    "sketch",
)
"""Words whose misspelling as a request's first word is corrected (see ``_typo_of``)."""

GENERATION_VERBS: Final = (
    r"make|create|compose|write|generate|produce|build|cook (?:me |us )?up|craft|sketch"
    r"|whip (?:me |us )?up|come up with"
    r"|give me|i want|i need|i'd like|i would like|we (?:want|need)|lay down"
    r"|let'?s (?:make|write|compose|create|build|do|produce|cook up|sketch|try)"
    r"|put together|play me|churn out|knock out"
)
SECTION_WORDS: Final = (
    r"intro|verse|chorus|bridge|outro|breakdown|drop|pre-?chorus|build[- ]?up|middle 8|interlude"
)
KEY: Final = "<key>"
"""What a key name (``"Am"``, ``"B♭ minor"``) becomes in the text the rules read."""
PRODUCTION_NOUNS: Final = (
    r"punch|energy|width|stereo (?:width|image|spread|field)|low[- ]end|bottom end|top end"
    r"|high end|air|presence|sparkle|clarity|headroom|glue|loudness|oomph|thump|impact|weight"
)
"""Mix qualities: "add more punch", "more width" are mix edits, not new material."""
PART_WORDS: Final = (
    r"bass ?line|bass|sub|808s?|melody|melodies|counter-?melody|drums?|drum (?:part|line|track)"
    r"|beat|hi-?hats?|hats|kick|snare|claps?|percussion|perc|congas|bongos|shakers?|tambourine"
    r"|piano|keys|rhodes|organ|chords|chord part|pads?|strings?(?: section)?|synths?"
    r"|arp(?:eggio)?s?|lead"
    r"|guitars?|sax(?:ophone)?|solo|horns?|brass|trumpet|flute|choir|vocals?|fx|risers?"
    r"|textures?|harmony|harmonies|groove|riff|hook|layer"
)


@dataclass(frozen=True)
class Rule:
    """One named pattern; ``label`` is the finer intent it gives."""

    name: str
    label: str
    pattern: re.Pattern[str]
    confidence: float

    @property
    def intent(self) -> Intent:
        """The intent of :attr:`label`."""
        return LABELS[self.label]


def _r(name: str, label: str, pattern: str, confidence: float) -> Rule:
    return Rule(name, label, re.compile(pattern), confidence)


def normalise(text: str) -> tuple[str, bool]:
    """Lower-cased text without fillers or polite wrappers, and whether it was polite.

    >>> normalise("OK, can you please set the BPM to 140?")
    ('set the bpm to 140', True)
    """
    norm = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    norm = " ".join(norm.split())
    for pattern, replacement in _CASUAL:
        norm = pattern.sub(replacement, norm)
    polite = False
    for _ in range(4):
        stripped = _FILLERS.sub("", norm)
        if _CAN_I.match(stripped):
            stripped = _CAN_I.sub("give me ", stripped)
            polite = True
        if _POLITE.match(stripped):
            stripped = _POLITE.sub("", stripped)
            polite = True
        if stripped == norm:
            break
        norm = stripped
    norm = _TRAILING.sub("", norm.rstrip(" .!")).strip()
    first, _, rest = norm.partition(" ")
    norm = f"{_correct(first)} {rest}".strip()
    if polite:
        norm = norm.rstrip(" ?").strip()
        norm = _TRAILING.sub("", norm).strip()
    return norm, polite


def _typo_of(word: str, target: str) -> bool:
    """True when ``word`` is ``target`` with two neighbours swapped or an inner letter lost/doubled.

    Changed letters and a lost or added first letter are not typos here: they
    turn one real word into another too often (``lower``/``slower``).
    """
    if word == target or word[0] != target[0] or abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diff = [i for i, (x, y) in enumerate(zip(word, target, strict=True)) if x != y]
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and word[diff[0]] == target[diff[1]]
            and word[diff[1]] == target[diff[0]]
        )
    short, long_ = (word, target) if len(word) < len(target) else (target, word)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(1, len(long_)))


def _correct(word: str) -> str:
    """``word``, or the one command word it misspells (``"mak"`` -> ``"make"``)."""
    if len(word) < 3 or word in COMMAND_WORDS or not word.isalpha():
        return word
    matches = [c for c in COMMAND_WORDS if _typo_of(word, c)]
    return matches[0] if len(matches) == 1 else word


RULES: Final[tuple[Rule, ...]] = (
    # ------------------------------------------------------------- chat, history
    _r(
        "chat.greeting",
        "ask.chat",
        r"^(?:lol |haha )?(?:(?:hi+|hello+|hey+|yo+|sup|hiya|howdy)(?: there| maestro| again| all"
        r"| everyone| friend)?"
        r"|good (?:morning|afternoon|evening|night)(?: maestro)?"
        r"|(?:(?:ok|okay|cool|great|nice|awesome|perfect|amazing)[,!.]* )?(?:thanks|thank you|thx"
        r"|ty|cheers)(?: (?:so|very) much| a lot| a ton| again| man| maestro)?"
        r"|(?:nice|great|good)(?: one| job| work| stuff)?|well done|cool(?: cool)?|awesome|amazing"
        r"|brilliant|wonderful|excellent|fantastic|beautiful|sweet|dope|sick|wow|perfect"
        r"|(?:that |this |it )?sounds? (?:great|good|amazing|awesome|nice|perfect|sick|dope"
        r"|beautiful|fire)|(?:i )?love (?:it|this|that)"
        r"|bye|goodbye|bye bye|see (?:you|ya)(?: later| soon)?|later)[!. ]*$",
        0.95,
    ),
    _r(
        "edit.history",
        "edit.history",
        r"^(?:undo|redo)(?: that| it| this| everything| all| the last [\w-]+| last [\w-]+)?$"
        r"|^(?:revert|roll ?back|step back)\b"
        rf"|^go back(?! to (?:the )?(?:start|beginning|top|end|bar|beat|{SECTION_WORDS})\b)",
        0.95,
    ),
    # ----------------------------------------------------------------- transport
    _r(
        "edit.transport",
        "edit.transport",
        r"^(?:hit |press )?(?:play|stop|pause|resume|rewind|fast forward|record|restart)"
        r"(?: (?:it|that|this|everything|playback|playing|recording|back|all|the (?:song|track"
        r"|beat|whole (?:thing|song|track)|project|arrangement|selection|region|loop)))?"
        r"(?: (?:again|back|once more|over|from .*|to the .*|at .*))?$"
        r"|^(?:start|begin|resume|stop|end) (?:the )?(?:playback|playing|recording|loop(?:ing)?)\b"
        r"|^(?:record[- ]arm|arm|disarm) |^rewind\b|^record (?:a |another |one more )?takes?\b"
        r"|^record (?:on|into|onto|from|at)\b"
        r"|^loop(?: (?:the|this|that|it|bars?|over|from|between|section|selection|region)\b.*)?$"
        r"|^(?:go|jump|skip|seek|move the playhead|return) (?:back )?to (?:bar|beat|the)\b"
        r"|^(?:(?:start|begin|restart|take it|run it|play it|play|go|start it|start again"
        r"|start over)(?: again)? )?from (?:the )?(?:very )?(?:top|start|beginning|end|bar \d+"
        rf"|beat \d+|{SECTION_WORDS})\b"
        r"|^(?:start|restart) (?:over|again)$"
        rf"|^play (?:from )?(?:the |that |this )?(?:{SECTION_WORDS}|region|loop|selection|bars?)\b"
        r"|^let(?:'s| me| us) (?:hear|listen to|play|play back)(?: it| that| this| back| again"
        r"| everything| the\b| from\b|$)"
        r"|^(?:turn|switch|toggle|enable|disable|mute|unmute|start|stop)(?: on| off)? (?:the )?"
        r"(?:metronome|click|click track|count[- ]in)\b"
        r"|^turn (?:the )?(?:metronome|click(?: track)?|count[- ]in) (?:on|off)\b"
        r"|^(?:metronome|click|click track|count[- ]in) (?:on|off)\b"
        r"|^(?:start|playback|play back)$|^playback\b|^(?:stop|pause|record) the(?: [\w-]+){1,2}$"
        r"|^(?:turn|switch|toggle|enable|disable)(?: on| off)? (?:the )?(?:loop(?:ing)?|cycle"
        r"(?: mode)?)\b|^(?:loop(?:ing)?|cycle(?: mode)?) (?:on|off)\b|^toggle (?:the )?loop\b"
        r"|^(?:back|go back|skip back|jump back|return|rewind|fast[- ]forward|skip|jump|go|move"
        r"|seek)(?: back| ahead| forward)? to (?:the )?(?:top|start|beginning|end|bar|beat|measure"
        r"|\d+\b(?! bpm))"
        r"|\bset (?:the )?loop\b|\bloop (?:from|between|range|points?|start|end)\b"
        r"|^count (?:me |us |it )?(?:in|off)\b",
        0.95,
    ),
    # ------------------------------------------------- continuation asked as text
    _r("compose.continue.next", "compose.continue", r"\bwhat comes next\b", 0.8),
    # ------------------------------------------------------------------ questions
    _r(
        "ask.question.wh",
        "ask.question",
        r"^(?:what|what's|whats|why|how|how's|which|who|whose|when|where|is|are|am|was|were"
        r"|isn't|aren't|doesn't|don't|didn't|has|have)\b"
        r"|^do (?:you|i|we|they|these|those|the|my|our)\b(?= \w)"
        r"|^(?:does|did) (?:you|i|we|they|these|those|the|this|it|that|my|our)\b(?= \w)"
        r"|^(?:should|shall|would|could|can|will|might) (?:i|we|it|this|that|the|you|my)\b",
        0.9,
    ),
    _r(
        "ask.question.verb",
        "ask.question",
        r"^(?:explain|describe|tell me|analy[sz]e|summari[sz]e|list|compare|teach me|define"
        r"|help me understand|critique|review|evaluate|rate|show me (?:what|how|which|where|why)"
        r"|give me (?:some |your )?(?:feedback|advice|tips|notes"
        r"|an? (?:opinion|analysis|overview)))\b",
        0.9,
    ),
    _r("ask.question.mark", "ask.question", r"\?$", 0.8),
    # ---------------------------------------------------------------- too vague
    _r(
        "ask.clarify.vague",
        "ask.clarify",
        r"^(?:make|get) (?:it|this|that|the song|the track|the beat|everything|the mix)"
        r"(?: sound)? (?:better|good|great|cool|nice|pop|work|right|awesome|interesting|different"
        r"|special|fire|slap|hit|banger|amazing|perfect|good again)$"
        r"|^(?:fix|improve|change|tweak|adjust|edit|modify|update|polish|enhance|do)"
        r"(?: (?:it|this|that|something|stuff|things|everything|your thing|the song|the track"
        r"|the beat|my song|my track|my beat))?$"
        r"|^(?:do|make|play|try) (?:something|anything|whatever|stuff)(?: else| cool| nice"
        r"| interesting| different)?$"
        r"|^(?:something|anything|whatever|idk|dunno|i don't know|not sure|help|help me"
        r"|surprise me|hmm+|um+|uh+|ok|okay|yes|no|maybe|test|\W*)(?: cool| nice| else)?$",
        0.85,
    ),
    # --------------------------------------------------------- project edits
    _r(
        "edit.tempo",
        "edit.tempo",
        r"^(?:make )?(?:it|this|the song|everything|the track) (?:a (?:bit|little|lot) )?"
        r"(?:faster|slower)$|^(?:faster|slower)$"
        r"|\b(?:speed|slow) (?:it |this |things |everything |the song )?(?:up|down)\b"
        r"|\b(?:set|change|adjust|bump|raise|lower|increase|decrease|halve|double|drop) (?:the )?"
        r"(?:tempo|bpm)\b|^(?:tempo|bpm)\s*(?:to\s*|=\s*|of\s*)?\d+"
        r"|\b(?:tempo|bpm) (?:to|=) \d+"
        r"|^(?:set|put) (?:it|the song|this) (?:to|at) \d{2,3}(?: bpm)?$"
        r"|^(?:make|set|put|change|switch|bring|take|have|get|slow|speed) (?:it|this|that|the song"
        r"|the track|the beat|everything|things|the whole (?:thing|song|track))"
        r"(?: (?:up|down|back))? (?:to |at |in |into )?(?:a )?"
        r"(?:\d{2,3}(?: bpm)?|(?:half|double)-time)"
        r"(?: feel)?$"
        r"|^(?:go|switch|change|move|drop|flip|try|put it|make it|take it)(?: (?:in)?to)? (?:a )?"
        r"(?:half|double)-time\b|^(?:half|double)-time(?: feel)?$"
        r"|^(?:the )?(?:tempo|bpm) (?:up|down|to|=|at|\d)"
        r"|\b(?:bring|turn|push|pull|take|knock|crank|nudge) (?:the )?(?:tempo|bpm)\b"
        r"|\b(?:tempo|bpm) (?:up|down) (?:by|to|a)\b|^(?:slow|speed) (?:down|up) to \d+"
        r"|\btoo (?:slow|fast)\b"
        r"|^(?:make )?(?:it|this|the song|everything|the track) (?:a (?:bit|little|lot) |much "
        r"|way )?(?:faster|slower)\b"
        r"|^(?:the )?(?:tempo|bpm)\s*[:=]\s*\d|\b(?:up|half|halve|double|triple) the (?:tempo|bpm"
        r"|speed)\b|^(?:(?:make|play|take) (?:it|this) )?(?:twice|half|double) (?:as (?:fast|slow)"
        r"|the (?:speed|tempo))\b"
        r"|^(?:at |to |make it |try )?\d{2,3} bpm(?: instead)?$|^(?:at |to )?\d{2,3} instead$"
        r"|^(?:go|switch|change|move|jump|drop|bump|push|take it)(?: it)?(?: up| down)? to \d{2,3}"
        r"(?: bpm)?$",
        0.93,
    ),
    _r(
        "edit.key",
        "edit.key",
        r"^(?:set|change|switch|move|put|transpose|modulate|shift|take|bring|make|turn|go|flip)"
        r"(?: (?:it|this|that|everything|key|the key|the (?:whole )?(?:song|track|project|piece"
        r"|tune|thing|beat|arrangement|tonality)))?(?: (?:up|down))?(?: (?:to|into|in|over to"
        rf"|back to))? (?:the key of )?{KEY}"
        rf"|^(?:set |change |switch )?(?:the )?key(?::| to| of| is| =)? ?{KEY}"
        r"|\b(?:make|try|do|have|play|want|need|put|keep|hear|get) (?:it|this|that|everything"
        r"|the (?:whole )?(?:song|track|piece|tune|thing|beat))(?: (?:in|into|to))?"
        rf" (?:the key of )?{KEY}"
        r"|^(?:modulate|transpose|shift) (?:the )?(?:[\w-]+ ){0,2}(?:up |down )?(?:to|into)"
        rf" (?:the key of )?{KEY}|^key change(?: to)? {KEY}"
        rf"|^(?:in )?(?:the key of )?{KEY}(?: key)?(?: instead)?$"
        r"|^(?:make|switch|change|turn) (?:it |this |the (?:song|key|track) )?(?:to |into )?(?:a )?"
        r"(?:minor|major)(?: key| mode| tonality)?$"
        r"|^transpose (?:up|down|everything|it|all|the (?:whole )?(?:song|track|project|piece))\b"
        r"|^transpose (?:it |everything )?(?:up |down )?(?:to|into|by)\b"
        r"|\b(?:time signature|meter)\b"
        r"|^(?:change|switch|set|go|move|put)(?: it| this| the song)? (?:to|into|in) \d+/\d+\b"
        r"|^(?:in )?\d+/\d+(?: time)?$",
        0.9,
    ),
    _r(
        "edit.track",
        "edit.track",
        r"^(?:add|create|make|insert|set up|open|new|give me)(?: me| us)? (?:a |an |one |another "
        r"|the |two |three |four |\d+ )?(?:new |empty |blank |fresh |separate |extra |second "
        rf"|third |dedicated )?(?:(?:midi|audio|instrument|software instrument|aux|{PART_WORDS})"
        r"(?: part)? )?tracks?(?: (?:for|called|named|to hold|labell?ed)\b.*"
        r"| (?:with|using) (?:a |an )?[\w -]*?(?:sound|patch|preset|instrument)\b.*)?$"
        rf"|^double (?:the |that |this )?(?:{PART_WORDS})(?: track| part)?$"
        r"|^(?:rename|name) |^(?:mute|unmute|solo|unsolo)\b"
        r"|^(?:delete|remove|get rid of|kill|duplicate|hide|freeze) (?:the |that |this )?"
        r"(?:[\w-]+ ){0,3}track\b"
        r"|\b(?:change|switch|swap|set) (?:the )?(?:[\w-]+ ){0,3}"
        r"(?:instrument|sound|patch|program|preset)\b"
        r"|\b(?:change|switch|swap) the (?:[\w-]+ ){1,3}to (?:a |an )?(?:[\w-]+ ){0,3}"
        r"(?:sound|instrument|patch)\b|\b(?:colou?r|icon)\b",
        0.88,
    ),
    _r(
        "edit.effect.chorus",
        "edit.effect",
        r"\b(?:add|put|insert) (?:a |some )?chorus (?:to|on)\b"
        r"|\bchorus (?:effect|fx|pedal|plugin)\b",
        0.88,
    ),
    _r(
        "edit.mix.idiom",
        "edit.mix",
        rf"^(?!(?:{GENERATION_VERBS}) (?:me |us )?(?:a|an|some|\d+)\b)(?:.*\b(?:more|less|extra"
        r"|some|add|added|boost|increase|reduce|lower|raise|bring|inject|pump up|up the|needs?"
        r"|lacks?|lacking|no) (?:(?:more|some|extra|the|a bit of|a little|a lot of|of) )*"
        rf"(?:{PRODUCTION_NOUNS})\b"
        r"|.*\b(?:wider|widen|narrow(?:er)?|punchy|punchier|stereo|mono|in the mix)\b"
        r"|.*\b(?:hit|hits|slap|knock|thump) harder\b"
        r"|.*\b(?:more|less|too|not|very) energetic\b)",
        0.86,
    ),
    # ----------------------------------------------------- new material: sections
    _r(
        "compose.regenerate",
        "compose.regenerate",
        r"\b(?:regenerate|redo|re-do|rewrite|re-write|reroll|re-roll|retry|try again)\b"
        r"|\btry (?:a |an )?(?:different|another|new|other)\b"
        r"|\b(?:another|different|alternative|alternate) (?:take|version|variation|idea)\b"
        r"|\bvariation (?:of|on)\b"
        rf"|^(?:change|switch|turn) the (?:{PART_WORDS}) (?:in)?to (?:a |an |some )?[\w-]+"
        rf"|^(?:a )?(?:new|different|fresh) (?:[\w-]+ )?(?:{PART_WORDS}|chords?|progression)$"
        r"|\bgive me (?:a |an )?(?:different|new|fresh) (?:[\w-]+ )?"
        rf"(?:{PART_WORDS}|progression)\b",
        0.85,
    ),
    _r(
        "compose.continue",
        "compose.continue",
        r"\b(?:continue|keep going|keep it going|carry on|extend|lengthen the song)\b"
        r"|\b(?:\d+|a few|some|two|four|eight|sixteen) more bars\b"
        rf"|^another (?:{SECTION_WORDS}|section|\d+ bars?|round|part)\b",
        0.85,
    ),
    _r(
        "compose.section",
        "compose.section",
        rf"^(?:{GENERATION_VERBS}|do|add|start|finish) (?:me |us )?(?:a |an |the |another |one )?"
        rf"(?:\d+[- ]bars? )?(?:new |short |long |big |quick )?(?:{SECTION_WORDS})\b"
        r"|^build (?:it |this |things )?up\b",
        0.88,
    ),
    _r(
        "compose.generate.strict",
        "compose.generate",
        rf"^(?:{GENERATION_VERBS}) (?:me |us )?(?:a |an |some |\d+ |another |one |two |four "
        r"|eight |sixteen |a few )",
        0.88,
    ),
    # --------------------------------------------------------- DAW edits, cont.
    _r(
        "edit.notes",
        "edit.notes",
        r"\b(?:quanti[sz]e|humani[sz]e|nudge)\b|\b(?:add|more|less|remove|reduce|increase) "
        r"(?:some |the )?swing\b|^swing\b|\bvelocit(?:y|ies)\b|\btranspose the\b"
        r"|\bnotes? (?:in|at|from) bar\b|\b(?:delete|remove|clear) (?:the |all )?notes\b"
        r"|\bon (?:every|each) (?:beat|bar|downbeat|offbeat|backbeat)\b|\b(?:legato|staccato)\b",
        0.86,
    ),
    _r(
        "edit.region",
        "edit.region",
        r"^(?:move|copy|duplicate|delete|remove|cut|trim|shorten|lengthen|split|crop|paste|clear"
        r"|drag|shift) (?:the |that |this |a )?(?:[\w-]+ )?(?:region|clip|section|part|"
        rf"{SECTION_WORDS}|bars?\b|last \d+ bars|first \d+ bars)\b"
        r"|^(?:delete|remove|cut|clear) (?:the )?(?:last|first) \d+ bars\b"
        r"|\bsplit .* at bar\b",
        0.86,
    ),
    _r(
        "edit.mix",
        "edit.mix",
        r"\b(?:turn|bring|crank|push|pull) (?:it |this |the [\w -]+? )?(?:up|down)\b"
        r"|\b(?:louder|quieter|softer)\b|\b(?:volume|level|levels|gain|fader|db|decibels?)\b"
        r"|\bpan(?:ned|ning)?\b|\bbalance\b|^mix\b|\bthe mix\b"
        r"|^(?:a (?:bit|little|touch|lot) )?(?:more|less) (?:bass|kick|low end|lows|mids|highs"
        r"|treble|sub|volume)\b"
        rf"|^(?:boost|cut|lower|raise|reduce|attenuate|duck|dip|lift|drop|bump|tame) (?:the )?"
        rf"(?:[\w-]+ ){{0,2}}(?:{PART_WORDS}|vocals?|vox|master|mix|everything|levels?)\b"
        r"(?!.*\b(?:octaves?|semitones?|steps?|fifth|fourth|third|notes?)\b)"
        r"|\b(?:turn|bring|crank|push|pull) (?:up|down) (?:the|it|this|everything)\b"
        r"|\btoo (?:loud|quiet|soft|boomy|muddy|harsh|bright|dull)\b",
        0.86,
    ),
    _r(
        "edit.effect",
        "edit.effect",
        r"\b(?:reverb|delay|echo|compressor|compression|eq|equali[sz]er|low ?pass|high ?pass|lpf"
        r"|hpf|filter|distortion|overdrive|saturation|limiter|gate|flanger|phaser|bitcrusher"
        r"|sidechain|side-chain|plugin|plug-in|bus|send|de-?esser|tremolo|auto-?tune)\b"
        r"|\bchorus (?:effect|fx|pedal|plugin)\b|\badd chorus to\b"
        r"|^(?:compress|eq|saturate|distort|filter|limit|gate|sidechain|de-?ess|bitcrush)\b",
        0.86,
    ),
    _r(
        "edit.ui",
        "edit.ui",
        r"^(?:show|hide|open|close|toggle) (?:the |me the )?(?:mixer|inspector|piano ?roll|step ?"
        r"sequencer|browser|editor|library|panel|timeline|arrangement view|transport)\b"
        r"|^zoom (?:in|out|to)\b",
        0.9,
    ),
    # ----------------------------------------------------- new material, cont.
    _r(
        "compose.refine",
        "compose.refine",
        r"\b(?:make|keep) (?:it|this|that|the [\w -]+?) (?:a (?:bit|little|lot) |much |way |even )?"
        r"(?:more|less) [\w-]+"
        r"|\b(?:sadder|happier|darker|brighter|jazzier|busier|sparser|simpler|calmer|heavier|warmer"
        r"|dreamier|funkier|groovier|chiller|smoother|dirtier|grittier|moodier|livelier"
        r"|emptier|fuller|denser|thinner|bigger|tighter|looser|harder|crunchier|dustier|lusher"
        r"|richer|edgier|weirder|spacier|happier|angrier|dramatic|gentler|sweeter)\b"
        r"|^(?:more|less) [\w-]+"
        r"|\btoo (?:busy|sparse|dense|simple|complex|repetitive|boring|dark|happy|sad|plain"
        r"|empty)\b"
        r"|^give (?:it|this|the [\w -]+?) (?:a bit |a little |much )?(?:more|less) [\w-]+"
        r"|^(?:jazz|spice|liven|funk|beef|soften|brighten|darken|mellow|rough|dirty) "
        r"(?:it|this|things|the [\w-]+) (?:up|down|out)\b"
        r"|\b(?:feels?|sounds?|is|are|'s) (?:a bit |too |kind of |so |really |pretty )?"
        r"(?:boring|repetitive|bland|flat|empty|busy|cluttered|plain|generic|stiff|robotic"
        r"|mechanical)\b",
        0.82,
    ),
    _r(
        "compose.add_part",
        "compose.add_part",
        r"^(?:add|put|layer|throw in|bring in|include|drop in|stack) (?:in )?"
        r"(?:a |an |some |the |another |more )?(?:new |little |subtle |nice )?"
        rf"(?:[\w-]+ ){{0,2}}(?:{PART_WORDS})\b|^fill (?:in|out|up)\b",
        0.84,
    ),
    _r(
        "compose.generate.verb",
        "compose.generate",
        rf"^(?:{GENERATION_VERBS}|play something|play some)\b",
        0.72,
    ),
)
"""Every rule, in the order they are tried."""


def match_rules(norm: str) -> tuple[Rule, str] | None:
    """The first rule matching the normalised text, and the text it matched."""
    for rule in RULES:
        found = rule.pattern.search(norm)
        if found is not None:
            return rule, found.group(0)
    return None
