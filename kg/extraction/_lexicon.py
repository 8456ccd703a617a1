"""Word lists the extraction rules lean on: general English and world knowledge, no article-specific names.

Kept as data so a reader can see, and extend, what the rules know.
"""

from __future__ import annotations

__all__ = [
    "ROLE_HEADS", "RANKS", "NAME_TITLES", "GROUP_FORMS", "REPORTING_VERBS", "HONORIFICS", "GEO_HEADS", "DEMONYMS",
    "COUNTRY_ALIASES", "is_role_noun",
]

#: Nouns that name a post or role; the head of "Foreign Minister", "operations chief", "director".
ROLE_HEADS = frozenset("""
minister secretary president vice-president chairman chairwoman chairperson chair chief leader director
head boss executive officer commander spokesman spokeswoman spokesperson ambassador attache attaché envoy
governor mayor chancellor premier king queen prince princess emperor senator congressman congresswoman
deputy councillor councilor mp mep judge justice prosecutor attorney general sheriff adviser advisor
analyst contributor correspondent editor reporter columnist journalist founder co-founder owner
manager coach captain striker midfielder defender goalkeeper player chairman-elect president-elect
economist strategist researcher scientist professor lecturer coordinator organiser organizer
representative delegate commissioner inspector superintendent administrator treasurer controller
cleric ayatollah imam bishop archbishop pope rabbi pastor priest
actor actress singer director producer presenter host star writer author novelist comedian
guitarist drummer vocalist rapper dj composer designer architect engineer lawyer doctor surgeon
analyst-at-large partner principal dean rector provost
""".split())

#: Military and police ranks (multi-word ranks are built from these words).
RANKS = frozenset("""
general brigadier colonel lieutenant major captain admiral commodore sergeant corporal marshal
field commander rear vice lt lt. gen gen. col col. maj maj. capt capt. adm adm. sgt sgt.
""".split())

#: Verbs that introduce what someone said (lemmas).
REPORTING_VERBS = frozenset("""
say add declare warn specify stress state tell argue insist claim announce explain note write
report deny confirm admit reveal maintain assert affirm acknowledge emphasise emphasize predict
complain urge promise vow pledge suggest reiterate comment remark describe call caution concede
contend observe reply respond testify told believe accuse
""".split())

#: Titles before a name that are not part of the name.
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "mr.", "mrs.", "ms.", "dr.", "prof", "prof."})

#: Titles that start a name ("Prince Harry", "Rabbi Marvin Hier") but are nobody's surname.
NAME_TITLES = frozenset("""prince princess king queen rabbi sheikh rev reverend father pope ayatollah president
senator governor general judge saint st""".split())

#: Religious, ethnic and political groups: adjective -> plural people (no country).
GROUP_FORMS = {
    "Jewish": "Jews", "Muslim": "Muslims", "Christian": "Christians", "Sunni": "Sunnis", "Shia": "Shias",
    "Shiite": "Shiites", "Arab": "Arabs", "Nazi": "Nazis", "Soviet": "Soviets", "Tory": "Tories",
    "Catholic": "Catholics", "Hindu": "Hindus", "Sikh": "Sikhs", "Buddhist": "Buddhists",
}

#: Capitalised heads that make "HEAD of NAME" a place ("Strait of Hormuz", "Gulf of Aden").
GEO_HEADS = frozenset("""
strait straits straight straights gulf sea bay river lake mount mountains cape isle island islands
province governorate region county state republic kingdom city valley desert peninsula canal
""".split())

#: Nationality adjective -> (country, plural people).
DEMONYMS: dict[str, tuple[str, str]] = {}
for _row in """
Afghan|Afghanistan|Afghans
Albanian|Albania|Albanians
Algerian|Algeria|Algerians
American|United States|Americans
Argentine|Argentina|Argentines
Argentinian|Argentina|Argentinians
Armenian|Armenia|Armenians
Australian|Australia|Australians
Austrian|Austria|Austrians
Azerbaijani|Azerbaijan|Azerbaijanis
Bahraini|Bahrain|Bahrainis
Bangladeshi|Bangladesh|Bangladeshis
Belgian|Belgium|Belgians
Bolivian|Bolivia|Bolivians
Bosnian|Bosnia|Bosnians
Brazilian|Brazil|Brazilians
British|United Kingdom|Britons
Bulgarian|Bulgaria|Bulgarians
Cambodian|Cambodia|Cambodians
Canadian|Canada|Canadians
Chilean|Chile|Chileans
Chinese|China|Chinese
Colombian|Colombia|Colombians
Croatian|Croatia|Croatians
Cuban|Cuba|Cubans
Cypriot|Cyprus|Cypriots
Czech|Czech Republic|Czechs
Danish|Denmark|Danes
Dutch|Netherlands|Dutch
Egyptian|Egypt|Egyptians
English|England|English
Eritrean|Eritrea|Eritreans
Estonian|Estonia|Estonians
Ethiopian|Ethiopia|Ethiopians
European|Europe|Europeans
Filipino|Philippines|Filipinos
Finnish|Finland|Finns
French|France|French
Georgian|Georgia|Georgians
German|Germany|Germans
Greek|Greece|Greeks
Hungarian|Hungary|Hungarians
Icelandic|Iceland|Icelanders
Indian|India|Indians
Indonesian|Indonesia|Indonesians
Iranian|Iran|Iranians
Iraqi|Iraq|Iraqis
Irish|Ireland|Irish
Israeli|Israel|Israelis
Italian|Italy|Italians
Japanese|Japan|Japanese
Jordanian|Jordan|Jordanians
Kazakh|Kazakhstan|Kazakhs
Kenyan|Kenya|Kenyans
Korean|Korea|Koreans
Kurdish|Kurdistan|Kurds
Kuwaiti|Kuwait|Kuwaitis
Latvian|Latvia|Latvians
Lebanese|Lebanon|Lebanese
Libyan|Libya|Libyans
Lithuanian|Lithuania|Lithuanians
Malaysian|Malaysia|Malaysians
Mexican|Mexico|Mexicans
Moroccan|Morocco|Moroccans
Nigerian|Nigeria|Nigerians
Norwegian|Norway|Norwegians
Omani|Oman|Omanis
Pakistani|Pakistan|Pakistanis
Palestinian|Palestine|Palestinians
Peruvian|Peru|Peruvians
Polish|Poland|Poles
Portuguese|Portugal|Portuguese
Qatari|Qatar|Qataris
Romanian|Romania|Romanians
Russian|Russia|Russians
Saudi|Saudi Arabia|Saudis
Scottish|Scotland|Scots
Serbian|Serbia|Serbs
Slovak|Slovakia|Slovaks
Somali|Somalia|Somalis
South African|South Africa|South Africans
Spanish|Spain|Spaniards
Sudanese|Sudan|Sudanese
Swedish|Sweden|Swedes
Swiss|Switzerland|Swiss
Syrian|Syria|Syrians
Taiwanese|Taiwan|Taiwanese
Thai|Thailand|Thais
Tunisian|Tunisia|Tunisians
Turkish|Turkey|Turks
Ugandan|Uganda|Ugandans
Ukrainian|Ukraine|Ukrainians
Venezuelan|Venezuela|Venezuelans
Vietnamese|Vietnam|Vietnamese
Welsh|Wales|Welsh
Yemeni|Yemen|Yemenis
Zimbabwean|Zimbabwe|Zimbabweans
""".strip().splitlines():
    _adj, _country, _people = _row.split("|")
    DEMONYMS[_adj] = (_country, _people)

#: Other names of countries (normalised key -> canonical name).
COUNTRY_ALIASES: dict[str, str] = {
    "us": "US", "usa": "US", "united states": "US", "united states of america": "US", "america": "US",
    "uk": "UK", "united kingdom": "UK", "britain": "UK", "great britain": "UK",
    "uae": "United Arab Emirates", "islamic republic": "Iran", "islamic republic of iran": "Iran",
    "russian federation": "Russia", "prc": "China", "people's republic of china": "China",
}
# The demonym table names the US and UK by their long names; keep one canonical label for each.
for _adj, (_country, _people) in list(DEMONYMS.items()):
    DEMONYMS[_adj] = (COUNTRY_ALIASES.get(_country.lower(), _country), _people)


def is_role_noun(word: str) -> bool:
    """``True`` for a word that can head a post title ("minister", "chief", "analyst")."""
    return word.lower() in ROLE_HEADS
