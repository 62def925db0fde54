"""Word lists the entity recogniser looks names up in.

The large lists (countries, cities and regions, demonyms and languages, given
names, surnames, common English words) are built from general data packages by
``analysis/data/build_gazetteers.py`` and read once, lazily. The small lists below
are closed classes of English (titles, organisation and place cue words) and a
few world regions that no country or city package lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = [
    "Gazetteer",
    "load",
    "PERSON_TITLES",
    "ORG_CUES",
    "PLACE_CUES",
    "PLACE_HEADS",
    "MISC_CUES",
    "OF_HEADS",
    "DIRECTIONS",
    "PLACE_ACRONYMS",
    "REGIONS",
    "CALENDAR",
    "TIME_ZONES",
    "FUNCTION_WORDS",
]

PERSON_TITLES = frozenset(
    """President Vice Prime Minister Mr Mrs Ms Miss Dr Chairman Chairwoman Chairperson
    Secretary Senator Sen Rep Representative Gov Governor King Queen Prince Princess Pope
    Gen General Lt Lieutenant Col Colonel Capt Captain Maj Major Sgt Sergeant Adm Admiral
    Cmdr Commander Judge Justice Chancellor Premier Ambassador Sheikh Professor Prof Sir
    Dame Lady Archbishop Bishop Cardinal Father Rev Reverend Rabbi Imam Mayor Coach
    Commissioner Director Speaker Chief Deputy Adviser Advisor Analyst Emir Sultan
    Ayatollah Officer Detective Inspector Councillor Councilman Congressman Congresswoman
    Spokesman Spokeswoman Spokesperson Minister-President Presidents Ministers
    Hon Mme Mister Madam Doctor Saint Sgt Pres Supt Insp Det Attorney Attorney-General
    Foreign Defence Defense Interior Finance Economy Trade Health Justice Energy
    Striker Midfielder Defender Goalkeeper Manager Skipper Batsman Bowler Champion
    Assistant Acting Undersecretary Under-Secretary Secretary-General Major-General
    Lieutenant-General Brigadier-General Brigadier CEO Administrator""".split()
)
# Titles that are also ordinary words: only a title when a name follows directly.
WEAK_TITLES = frozenset(
    """Foreign Defence Defense Interior Finance Economy Trade Health Energy Chief Deputy
    General Major Father Justice Speaker Director Officer Manager Champion Striker
    Midfielder Defender Goalkeeper Skipper Batsman Bowler Analyst Saint Vice Prime
    Assistant Acting Administrator""".split()
)

ORG_CUES = frozenset(
    """Club Union Academy University Party Ministry Inc Inc. Corp Corp. Corporation Committee
    Council Agency Bank FC Association Institute Institution Federation Commission
    Organization Organisation Group Company Co Co. Ltd Ltd. LLC PLC Plc AG GmbH Airlines
    Airways Bureau Board Court Church College School Foundation Fund Movement Congress
    Parliament Assembly Senate Army Navy Police Service Services Times Post Journal Press
    Television TV Radio Exchange Department Office Authority Network Systems Technologies
    Motors Electric Industries Holdings Partners Society League Team Cabinet
    Government Administration Commons Senate Directorate Secretariat Command Brigade
    Regiment Corps Forces Guard Alliance Coalition Front Brotherhood Front Trust Bancorp
    Securities Capital Insurance Energy Oil Petroleum Gas Telecom Communications Media
    Records Studios Pictures Entertainment Airport Railways Railway Lines Labs Laboratories
    Reserve Mint Treasury Tribunal Kremlin Pentagon House Cooperation
    United Rovers Wanderers Athletic City Town County XI Giants Yankees Council Unions
    Democrats Republicans Socialists Conservatives Liberals Communists Greens Daily Herald
    Tribune Gazette Telegraph Chronicle Newsroom Newsdesk Pharmaceuticals Chemicals Foods
    Steel Mining Minerals Resources Electronics Semiconductor Telecommunications Computers
    Breweries Brewery Textiles Shipping Investments Financial Realty Properties News Org""".split()
)
# Last words that make a capitalised run a place.
PLACE_CUES = frozenset(
    """Street Road Avenue Boulevard Lane Square River Mountains Mountain Island Islands Sea
    Ocean Lake Valley Bay Gulf Province County Airport Stadium Park Bridge Canal Desert
    Peninsula Strait Straits Coast Beach Heights Hills Corridor Region District Prefecture
    Kingdom Republic Basin Plateau Falls Glacier Delta Forest Arena Oval Ground Gardens
    Harbour Harbor Cape Strip Bank Territory Territories Oblast Krai Governorate
    Center Centre Museum Complex Station Tower Towers Course Prison Hospital Base""".split()
)
# Words before "Center" that make it an organisation, not a building or site.
CENTER_ORG_WORDS = frozenset(
    """Research Policy Medical Studies Law Cancer Health Information Resource Media Data
    Justice Rights Development Training Education Documentation Monitoring Analysis
    Control Prevention Studies Coordination Operations Intelligence""".split()
)
# First words that make a capitalised run a place ("Mount Everest", "Lake Geneva").
PLACE_HEADS = frozenset("Mount Mt Lake Cape Fort Port Gulf Isle Bay Sea Strait Lake".split())
MISC_CUES = frozenset(
    """Forum Cup Championship Championships Games Olympics Olympic Open Prize Award Awards War
    Revolution Festival Summit Treaty Agreement Accord Act Declaration Expo Series Tour
    Marathon Derby Trophy Week Pipeline Doctrine Plan Initiative Program Programme Project
    Protocol Convention Charter Conference Grand Prix Classic Masters Rally Olympiad
    League Bowl Medal Index Awards Constitution Code Bill Crisis Uprising Spring Day Slam Division Tournament""".split()
)
# A run "X of Y" is one name only when X ends in one of these.
OF_HEADS = (
    ORG_CUES
    | PLACE_CUES
    | PLACE_HEADS
    | frozenset(
        """Bank Duke Duchess Earl Republic Kingdom Emirate Sultanate Principality City Isle
        Department Ministry Office Museum Church Cathedral Palace Tower Statue Battle Siege
        Treaty Declaration Bill Charter Order Chamber Court House Houses Federation
        Organization Organisation Union University Academy Institute College School League
        Association Society Council Committee Commission Board Bureau Agency Party Cup
        Championship Parliament Assembly Congress Coalition Federation State States
        Secretary Department Board Reserve Bank Commonwealth""".split()
    )
) - frozenset(["Street", "Road", "Avenue"])
DIRECTIONS = frozenset(
    "North South East West Northern Southern Eastern Western Central Upper Lower New Greater "
    "Northeast Northwest Southeast Southwest".split()
)
# Compass words that qualify a country's name (not "New", which is part of it).
_COMPASS = frozenset("North South East West Northern Southern Eastern Western".split())
PLACE_ACRONYMS = frozenset(
    "US U.S. USA U.S.A. UK U.K. UAE U.A.E. USSR U.S.S.R. DRC PRC ROK DPRK GB".split()
)
# World regions and seas named in news that country and city lists lack.
REGIONS = frozenset(
    """Caucasus Balkans Scandinavia Siberia Sahara Sahel Himalayas Alps Andes Urals
    Caribbean Mediterranean Baltic Pacific Atlantic Arctic Antarctic Antarctica Mesopotamia
    Levant Maghreb Patagonia Amazon Kashmir Tibet Crimea Donbas Donbass Kurdistan Karabakh
    Balochistan Punjab Bengal Anatolia Indochina Oceania Eurasia Gaza Sinai Golan Midwest
    Transcaucasia""".split()
) | frozenset(
    [
        "Middle East",
        "Near East",
        "Far East",
        "Persian Gulf",
        "Latin America",
        "Central Asia",
        "West Bank",
        "Gaza Strip",
        "Golan Heights",
        "Horn of Africa",
        "Silicon Valley",
        "Wall Street",
        "Capitol Hill",
        "Downing Street",
        "Deep South",
        "New England",
        "Black Sea",
        "Caspian Sea",
        "Red Sea",
        "Dead Sea",
        "North Sea",
        "South China Sea",
        "Indian Ocean",
        "Pacific Ocean",
        "Atlantic Ocean",
        "Arctic Ocean",
        "Southeast Asia",
        "South Asia",
        "East Asia",
        "Northern Ireland",
        "South Caucasus",
        "North Caucasus",
    ]
)
# Religions, ideologies and other MISC adjectives that no country list gives.
MISC_WORDS = frozenset(
    """Christian Christians Muslim Muslims Moslem Moslems Islamic Jewish Jew Jews Catholic Catholics
    Protestant Orthodox Buddhist Hindu Sikh Sunni Shia Shiite Shi'ite Arab Arabs Arabic
    Kurdish Kurd Kurds Latino Hispanic European Europeans African Africans Asian Asians
    Soviet Communist Marxist Nazi Nazis Zionist Islamist Islamists Olympic Olympics
    Anglo Celtic Slavic Balkan Caucasian Persian Scandinavian Christmas Easter Ramadan Eid Hanukkah Passover Internet
    Brit Brits Briton Britons Swede Swedes Dane Danes Finn Finns Pole Poles Scot Scots Serb Serbs
    Croat Croats Turk Turks Czechs Slovaks Slovenes Azeri Azeris Chechen Chechens Afrikaner
    Afrikaners Hutu Hutus Tutsi Tutsis Pashtun Pashtuns Baloch Uzbeks Kazakhs Tajiks Yugoslav
    Yugoslavs Texan Texans Californian Californians Floridian Floridians Londoner Londoners
    Muscovite Muscovites Parisian Parisians Bavarian Bavarians Catalan Catalans Basque
    Basques Flemish Walloon Walloons Quebecois Cossack Cossacks Rohingya Uighur Uighurs
    Uyghur Uyghurs Tamil Tamils Sinhalese Zulu Zulus Xhosa Maori Inuit Bedouin Bedouins
    Islam Christianity Judaism Hinduism Buddhism Sikhism Catholicism Protestantism Hajj""".split()
)
# Time zones written as abbreviations: MISC, as CoNLL marks them.
TIME_ZONES = frozenset(
    "GMT UTC BST CET CEST EET EEST EST EDT CST CDT MST MDT PST PDT JST IST".split()
)
CALENDAR = frozenset(
    """January February March April May June July August September October November
    December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday
    Thursday Friday Saturday Sunday Mon Tue Wed Thu Fri Sat Sun""".split()
)
# Capitalised only because they start a sentence or a headline.
FUNCTION_WORDS = frozenset(
    """A An The This That These Those It Its He She They We I You His Her Their Our My
    Your In On At Of For From To By With Without During After Before Since Until While
    When Where Why How What Which Who Whom Whose If As But And Or Nor So Yet Although
    Though Because However Meanwhile Also Still Even Only Just Then There Here Now Today
    Yesterday Tomorrow Last Next Such Some Many Most More Much Several All Both Each Every
    Other Another Any No Not Neither Either According Despite Under Over Between Among
    Against Through Into About Above Below Near Amid Following Including Unlike Like
    Instead Thus Therefore Moreover Furthermore Nevertheless Nonetheless Indeed Perhaps
    Maybe Yes Mr Mrs Ms Dr Sir Madam Dear Please Thank Thanks Well Oh Let Do Does Did
    Is Are Was Were Be Been Has Have Had Will Would Can Could Should Shall May Might Must
    One Two Three Four Five Six Seven Eight Nine Ten First Second Third Once Twice Asked
    Speaking Writing Meanwhile Later Earlier Currently Recently Finally Overall Again
    Otherwise Similarly Likewise Accordingly Hence Besides Notably Especially Particularly
    Initially Ultimately Previously Already Sometimes Often Never Always Together Outside
    Inside Within Across Along Around Behind Beyond Toward Towards Upon Via Per Whether
    Unless Whereas Whilst Once Sources Source Officials Police Photo Image Video
    Click Read Watch Share Follow Subscribe Advertisement Related Updated Published
    Chosen""".split()
)


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """The loaded word lists (case-sensitive, as names are written)."""

    countries: frozenset[str]
    places: frozenset[str]
    demonyms: frozenset[str]
    given: frozenset[str]
    surnames: frozenset[str]
    common: frozenset[str]
    upper: dict[str, tuple[str, str]]  # UPPER CASE form -> (type, usual spelling)

    def given_gender(self, name: str) -> str | None:
        """The gender ("m" or "f") of the given name ``name`` when borne by one gender only.

        Unisex names and names whose gender differs between countries give None,
        as do words that are no given name.
        """
        male, female = _genders()
        if name in male:
            return "m"
        if name in female:
            return "f"
        return None


def _read(name: str) -> frozenset[str]:
    data = resources.files("analysis.data").joinpath(name).read_text(encoding="utf-8")
    return frozenset(data.split("\n")) - {""}


@lru_cache(maxsize=1)
def _genders() -> tuple[frozenset[str], frozenset[str]]:
    # Read on first need: most texts never ask a name's gender.
    return _read("given_male.txt"), _read("given_female.txt")


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    """Read the word lists once (about 30 ms), then serve them from memory."""
    countries = _read("countries.txt")
    common = _read("common_words.txt")
    places = _read("places.txt") | REGIONS
    # "North Korea", "East Timor", "South Sudan": the bare name is a place too.
    places |= {
        rest
        for name in countries
        if (parts := name.split(" ", 1))[0] in _COMPASS
        and len(parts) == 2
        and " " not in (rest := parts[1])
        and rest.lower() not in common
    }
    demonyms = _read("demonyms.txt") | MISC_WORDS
    upper: dict[str, tuple[str, str]] = {}
    for words, kind in ((places, "PLACE"), (demonyms, "MISC"), (countries, "PLACE")):
        for w in words:
            upper[w.upper()] = (kind, w)
    return Gazetteer(
        countries=countries,
        places=places,
        demonyms=demonyms,
        given=_read("given_names.txt"),
        surnames=_read("surnames.txt"),
        common=common,
        upper=upper,
    )
