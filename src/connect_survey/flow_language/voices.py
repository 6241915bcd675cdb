"""The Amazon Polly voices a flow may set, with the engines each supports.

UpdateContactTextToSpeechVoice errors when the voice does not support the engine, and a voice
Connect does not know silences text-to-speech for the contact, so both are checked at synth.
Connect's Set voice block offers the standard, neural and generative engines.

Source, read 2026-11-25: Amazon Polly Developer Guide, "Available voices"
(https://docs.aws.amazon.com/polly/latest/dg/available-voices.html; the stored copy was read
in full from Arabic to English (New Zealand)) and "Standard voices" (standard-voices.html, the
complete standard list). The neural voices of the other languages follow that table as known,
not re-read row by row; every voice ID is in botocore's Polly VoiceId enum. Where a
generative column could not be confirmed it is left out: an engine missing here stops synth
with a message, while one listed wrongly would fail the contact's Set voice block. The
generative voices added 2026-03-19 (Ambre, Beatrice, Florian, Lennart, Lorenzo, Tiffany) are
not listed yet.
"""

from __future__ import annotations

from typing import Final

STANDARD: Final = "standard"
NEURAL: Final = "neural"
GENERATIVE: Final = "generative"
ENGINES: Final = (STANDARD, NEURAL, GENERATIVE)
# How a flow writes the engine (console exports: "Neural").
FLOW_ENGINE: Final = {STANDARD: "Standard", NEURAL: "Neural", GENERATIVE: "Generative"}

_S, _N, _G = frozenset({STANDARD}), frozenset({NEURAL}), frozenset({GENERATIVE})
VOICES: Final[dict[str, frozenset[str]]] = {
    # Arabic, Arabic (Gulf)
    "Zeina": _S, "Hala": _N, "Zayd": _N,
    # Catalan, Czech
    "Arlet": _N, "Jitka": _N,
    # Chinese (Cantonese, Mandarin)
    "Hiujin": _N, "Zhiyu": _S | _N,
    # Danish
    "Naja": _S, "Mads": _S, "Sofie": _N,
    # Dutch (Belgian, Netherlands)
    "Lisa": _N | _G, "Laura": _N | _G, "Lotte": _S, "Ruben": _S,
    # English (US)
    "Danielle": _N | _G, "Gregory": _N, "Ivy": _S | _N, "Joanna": _S | _N | _G,
    "Joey": _S | _N, "Justin": _N, "Kendra": _S | _N, "Kevin": _S | _N,
    "Kimberly": _S | _N, "Matthew": _N | _G, "Ruth": _N | _G, "Salli": _S | _N,
    "Stephen": _N | _G,
    # English (Australian, British, Indian, Irish, New Zealand, Singaporean, South African, Welsh)
    "Nicole": _S, "Olivia": _N | _G, "Russell": _S,
    "Amy": _S | _N | _G, "Emma": _S | _N, "Brian": _S | _N | _G, "Arthur": _N,
    "Aditi": _S, "Raveena": _S, "Kajal": _N | _G,
    "Niamh": _N | _G, "Aria": _N | _G, "Jasmine": _N, "Ayanda": _N, "Geraint": _S,
    # Finnish
    "Suvi": _N,
    # French (France, Belgian, Canadian)
    "Celine": _S, "Lea": _S | _N, "Mathieu": _S, "Remi": _N,
    "Isabelle": _N, "Chantal": _S, "Gabrielle": _N, "Liam": _N,
    # German (Germany, Austrian, Swiss)
    "Marlene": _S, "Vicki": _S | _N, "Hans": _S, "Daniel": _N,
    "Hannah": _N, "Sabrina": _N,
    # Icelandic
    "Dora": _S, "Karl": _S,
    # Italian
    "Carla": _S, "Bianca": _S | _N, "Giorgio": _S, "Adriano": _N,
    # Japanese
    "Mizuki": _S, "Takumi": _S | _N, "Kazuha": _N, "Tomoko": _N,
    # Korean
    "Seoyeon": _S | _N, "Jihye": _N,
    # Norwegian, Polish
    "Liv": _S, "Ida": _N,
    "Ewa": _S, "Maja": _S, "Jacek": _S, "Jan": _S, "Ola": _N,
    # Portuguese (Brazilian, European)
    "Camila": _S | _N, "Vitoria": _S | _N, "Ricardo": _S, "Thiago": _N,
    "Ines": _S | _N, "Cristiano": _S,
    # Romanian, Russian
    "Carmen": _S, "Tatyana": _S, "Maxim": _S,
    # Spanish (Spain, Mexican, US)
    "Conchita": _S, "Lucia": _S | _N, "Enrique": _S, "Sergio": _N,
    "Mia": _S | _N, "Andres": _N,
    "Lupe": _S | _N, "Penelope": _S, "Miguel": _S, "Pedro": _N,
    # Swedish, Turkish, Welsh
    "Astrid": _S, "Elin": _N, "Filiz": _S, "Burcu": _N, "Gwyneth": _S,
}  # fmt: skip


class VoiceError(ValueError):
    """Raised for a voice Connect does not offer, or an engine the voice lacks."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting
        self.message = message


def voice_engine(voice: str, engine: str | None) -> str:
    """The engine to speak `voice` with: `engine` if the voice has it; by default neural where
    the voice has it, else standard (every voice here has one of the two)."""
    engines = VOICES.get(voice)
    if engines is None:
        raise VoiceError(
            "voice", f"{voice!r} is not an Amazon Polly voice Connect offers; e.g. Joanna, Matthew"
        )
    if engine is None:
        return NEURAL if NEURAL in engines else STANDARD
    if engine not in ENGINES:
        raise VoiceError("engine", f"{engine!r} is not an engine; use one of {', '.join(ENGINES)}")
    if engine not in engines:
        raise VoiceError(
            "engine",
            f"{voice} has no {engine} voice; it supports {', '.join(sorted(engines))}",
        )
    return engine
