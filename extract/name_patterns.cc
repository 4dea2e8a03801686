#include "extract/name_patterns.h"

#include <re2/re2.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace sa::extract {
namespace {

using WordSet = absl::flat_hash_set<std::string>;

// All word lists hold normalised forms (text::Tokenize: case-folded, accents stripped).

// Words that are a title on their own, in any case ("President", "the minister", "министра").
const WordSet& TitleWords() {
  static const auto* words = new WordSet{
      // English
      "president", "premier", "chancellor", "minister", "secretary", "governor", "senator",
      "ambassador", "general", "admiral", "mayor", "spokesman", "spokeswoman", "spokesperson",
      "aide", "adviser", "advisor", "envoy", "king", "queen", "prince", "princess", "emperor",
      "pope", "speaker", "commissioner", "taoiseach", "emir", "sultan", "sheikh", "mr", "mrs", "ms",
      "sen", "rep", "gov", "gen", "adm", "lt", "col", "chairman", "chairwoman", "dr", "prof",
      "executive", "director", "democrat", "republican", "mp", "mep", "lawmaker", "legislator",
      "congressman", "congresswoman",
      // German (compounds are caught by their endings, see TitleEndings)
      "prasident", "prasidentin", "kanzler", "kanzlerin", "ministerin", "sprecher", "sprecherin",
      "botschafter", "botschafterin", "konig", "konigin", "herr", "frau",
      // French
      "presidente", "ministre", "chancelier", "chanceliere", "secretaire", "porte", "ambassadeur",
      "ambassadrice", "roi", "reine", "maire", "chef", "m", "mme",
      // Spanish, Italian, Portuguese
      "ministro", "ministra", "canciller", "secretario", "secretaria", "portavoz", "embajador",
      "embajadora", "rey", "reina", "alcalde", "presidenta", "cancelliere", "segretario",
      "portavoce", "ambasciatore", "sindaco", "re", "regina", "chanceler", "porta", "embaixador",
      "prefeito", "rei", "primeiro", "premie", "deputado", "deputada", "eurodeputado",
      "eurodeputada", "diputado", "diputada", "deputato", "deputata", "depute", "deputee",
      "abgeordnete", "abgeordneter", "senador", "senadora", "senatore",
      // Russian (the forms of the cases a title takes before a name)
      "президент", "президента", "президентом", "президенту", "президенте", "премьер", "премьера",
      "премьером", "министр", "министра", "министром", "министру", "канцлер", "канцлера",
      "канцлером", "госсекретарь", "госсекретаря", "генсек", "генсека", "глава", "главы", "главой",
      "главе", "главу", "посол", "посла", "послом", "губернатор", "губернатора", "мэр", "мэра",
      "спикер", "спикера", "секретарь", "секретаря", "помощник", "помощника", "советник",
      "советника", "посланник", "посланника", "спецпосланник", "спецпосланника", "король", "короля",
      "королева", "лидер", "лидера", "депутат", "депутата", "сенатор", "сенатора",
      // Greek
      "προεδρος", "προεδρου", "πρωθυπουργος", "πρωθυπουργου", "υπουργος", "υπουργου", "καγκελαριος",
      "καγκελαριου"};
  return *words;
}

// Endings of German compound titles, for capitalised words ("Außenminister", "Bundeskanzlerin",
// "Regierungschef", "Kremlsprecher", "Ministerpräsident").
constexpr absl::string_view kTitleEndings[] = {
    "minister",    "ministerin", "kanzler",      "kanzlerin",   "prasident",
    "prasidentin", "sprecher",   "sprecherin",   "botschafter", "botschafterin",
    "chef",        "chefin",     "burgermeister"};

// Words that may stand between a title and a name: parts of the title ("Prime", "Foreign",
// "of State", "des Affaires étrangères", "иностранных дел", "degli Esteri") and articles.
const WordSet& TitleParts() {
  static const auto* words = new WordSet{
      // English
      "of", "the", "for", "and", "prime", "foreign", "defence", "defense", "state", "affairs",
      "finance", "interior", "home", "trade", "economy", "energy", "justice", "health", "deputy",
      "vice", "acting", "interim", "former", "then", "outgoing", "incoming", "elect", "chief",
      "national", "security", "crown", "supreme", "press", "office", "armed", "forces", "treasury",
      "commerce", "executive", "special", "presidential", "senior", "top",
      // French
      "de", "des", "du", "la", "le", "l", "d", "aux", "affaires", "etrangeres", "armees", "europe",
      "exterieur", "interieur", "diplomatie", "gouvernement", "etat", "premier", "parole",
      // Spanish, Italian, Portuguese
      "del", "los", "las", "el", "asuntos", "exteriores", "relaciones", "defensa", "gobierno",
      "estado", "primer", "exterior", "di", "della", "degli", "dello", "esteri", "difesa",
      "governo", "stato", "consiglio", "affari", "il", "lo", "da", "do", "das", "dos", "relacoes",
      "negocios", "estrangeiros", "defesa", "o", "a", "voz", "ministro", "ministra", "primeiro",
      // German
      "der", "die", "fur", "auswartigen", "auswartige",
      // Russian
      "иностранных", "дел", "обороны", "мид", "правительства", "финансов", "внутренних", "по",
      "делам", "безопасности", "совета", "пресс", "вице", "кремля", "кремль", "госдепартамента",
      // Greek
      "εξωτερικων", "αμυνας", "της", "του", "των", "ο", "η"};
  return *words;
}

// Words that belong to the title written before its title word ("Prime Minister", "Foreign
// Secretary", "primeiro-ministro", "вице-премьер").
const WordSet& TitleModifiers() {
  static const auto* words = new WordSet{
      "prime",        "foreign", "defence",  "defense", "finance", "interior", "home",
      "trade",        "economy", "energy",   "justice", "health",  "deputy",   "vice",
      "acting",       "interim", "chief",    "crown",   "supreme", "press",    "special",
      "presidential", "senior",  "primeiro", "primer",  "premier", "пресс",    "вице"};
  return *words;
}

// Capitalised words that are never part of a person's name: months, weekdays, function words
// that start sentences, and words that name places or organisations.
const WordSet& NotNameWords() {
  static const auto* words = new WordSet{
      // Months and weekdays (English, German; the other languages write them in lower case).
      "january", "february", "march", "april", "may", "june", "july", "august", "september",
      "october", "november", "december", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
      "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
      "sunday", "januar", "februar", "marz", "mai", "juni", "juli", "oktober", "dezember", "montag",
      "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
      // Function words and sentence starters.
      "the", "a", "an", "this", "that", "these", "those", "in", "on", "at", "but", "and", "it",
      "he", "she", "they", "we", "i", "you", "his", "her", "their", "our", "both", "some", "many",
      "after", "before", "when", "while", "as", "if", "for", "with", "from", "by", "to", "of",
      "also", "not", "no", "yes", "there", "here", "what", "who", "why", "how", "all", "der", "die",
      "das", "ein", "eine", "und", "er", "sie", "es", "le", "la", "les", "un", "une", "il", "elle",
      "ils", "el", "los", "las", "lo", "gli", "i", "o", "os", "as", "e", "y", "et", "mais", "pero",
      "ma", "mas", "он", "она", "они", "в", "на", "и", "но", "это",
      // Collective nouns that report like people.
      "officials", "analysts", "experts", "critics", "diplomats", "sources", "police", "observers",
      "residents", "witnesses", "lawmakers", "media", "reuters", "agency",
      // Words that make a name a place or an organisation.
      "street", "st", "square", "avenue", "road", "bridge", "palace", "hall", "house", "council",
      "ministry", "fund", "group", "bank", "committee", "command", "department", "union",
      "commission", "institute", "party", "corporation", "company", "service", "authority",
      "alliance", "coalition", "foundation", "university", "times", "post", "news", "press",
      "staff", "exchequer", "motors", "hotel", "park", "airport", "station", "center", "centre",
      "church", "cathedral", "base", "island", "islands", "river", "lake", "mountain", "mount",
      "valley", "county", "city", "republic", "kingdom", "federation", "state", "states", "white",
      "kremlin", "pentagon", "parliament", "congress", "senate", "assembly", "court", "government",
      "administration", "office", "cup", "league", "games", "club", "inc", "ltd", "llc", "plc",
      "gmbh", "ag", "sa",
      // The same in the languages whose mid-sentence capitals ForEachMidSentenceName reads:
      // institutions are proper nouns there too ("Ministério Público", "Conseil d'État",
      // "Unione Europea", "Národná rada").
      "ministerio", "conselho", "comissao", "assembleia", "uniao", "casa", "nacoes", "estado",
      "estados", "policia", "tribunal", "governo", "partido", "banco", "universidade", "instituto",
      "camara", "federacao", "associacao", "fundacao", "agencia", "empresa", "grupo", "clube",
      "supremo", "republica", "forcas", "exercito", "organizacao", "departamento", "servico",
      "igreja", "consejo", "comision", "asamblea", "naciones", "gobierno", "universidad",
      "federacion", "asociacion", "fundacion", "ejercito", "organizacion", "servicio", "iglesia",
      "congreso", "senado", "ministere", "conseil", "assemblee", "maison", "nations", "etat",
      "etats", "gouvernement", "parti", "banque", "universite", "institut", "chambre",
      "association", "fondation", "agence", "entreprise", "groupe", "republique", "forces", "armee",
      "organisation", "departement", "eglise", "cour", "senat", "elysee", "ministero", "consiglio",
      "commissione", "assemblea", "unione", "nazioni", "stato", "stati", "polizia", "tribunale",
      "partito", "banca", "universita", "istituto", "camera", "federazione", "associazione",
      "fondazione", "agenzia", "azienda", "gruppo", "repubblica", "forze", "esercito",
      "organizzazione", "dipartimento", "servizio", "chiesa", "corte", "senato", "procura",
      "ministerstvo", "rada", "komisia", "komise", "komisja", "unia", "unie", "urad", "vlada",
      "policie", "policja", "soud", "strana", "partia", "banka", "univerzita", "uniwersytet",
      "instytut", "snem", "sejm", "republika", "agentura", "spolocnost", "skupina", "sluzba",
      "cirkev", "autoridade", "autoridad", "autorite", "autorita", "europeia", "europeu",
      "europeenne", "europeen", "europea", "europeo", "europska", "europsky", "europejska",
      "internacional", "international", "internazionale", "nacional", "national", "nazionale",
      "federal", "federale"};
  return *words;
}

// Lower-case particles inside a name ("Ursula von der Leyen", "Lula da Silva", "bin Salman").
const WordSet& NameParticles() {
  static const auto* words = new WordSet{"von", "van",   "der", "den", "de", "da",  "di", "du",
                                         "del", "della", "dos", "das", "do", "la",  "le", "bin",
                                         "ibn", "al",    "el",  "ben", "zu", "ter", "y"};
  return *words;
}

// Reporting verbs: the person is just before them ("Jane Doe said") or, in languages that
// invert, just after ("sagte Olaf Scholz", "dijo Pedro Sánchez", "заявил Дмитрий Песков").
const WordSet& ReportingVerbs() {
  static const auto* words = new WordSet{
      // English
      "said", "says", "told", "added", "wrote", "warned", "insisted", "argued", "stated",
      "announced", "declared", "stressed", "noted", "explained", "claimed", "confirmed",
      // Russian
      "сказал", "сказала", "заявил", "заявила", "сообщил", "сообщила", "отметил", "отметила",
      "подчеркнул", "подчеркнула", "добавил", "добавила", "написал", "написала", "рассказал",
      "рассказала", "пояснил", "пояснила", "считает", "уверен", "уверена",
      // German
      "sagte", "sagt", "erklarte", "erklart", "betonte", "betont", "schrieb", "warnte", "kundigte",
      "meinte", "fugte",
      // French (a déclaré, a dit, a affirmé: the participle follows "a")
      "declare", "dit", "affirme", "indique", "souligne", "annonce", "ajoute", "estime", "explique",
      "assure", "precise", "declara",
      // Spanish
      "dijo", "afirmo", "declaro", "aseguro", "senalo", "anadio", "explico", "indico", "dice",
      "afirma", "asegura",
      // Italian
      "detto", "dichiarato", "affermato", "spiegato", "sottolineato", "aggiunto", "dice", "afferma",
      "dichiara",
      // Portuguese
      "disse", "afirmou", "declarou", "explicou", "destacou", "acrescentou", "diz", "afirma",
      // Greek
      "δηλωσε", "ειπε", "τονισε", "ανεφερε"};
  return *words;
}

// Auxiliaries between a name and its reporting verb ("Jean Dupont a déclaré", "ha detto").
const WordSet& Auxiliaries() {
  static const auto* words = new WordSet{"a", "ha", "hat", "has", "had", "hatte", "have"};
  return *words;
}

// Titles written abbreviated with a full stop ("Rep. Scott Taylor", "Dr. Jane Roe", "M. Dupont").
const WordSet& AbbreviatedTitles() {
  static const auto* words = new WordSet{"mr",  "mrs", "ms",  "dr", "prof", "sen", "rep",
                                         "gov", "gen", "adm", "lt", "col",  "m",   "mme"};
  return *words;
}

// Titles after which a single capitalised word is not taken as a surname ("General Motors").
const WordSet& TitlesNeedingFullNames() {
  static const auto* words =
      new WordSet{"general", "gen",      "admiral", "adm", "lt",  "col",   "chief", "king", "queen",
                  "prince",  "princess", "re",      "rey", "roi", "porte", "porta", "m"};
  return *words;
}

// Whether a word as written starts with an upper-case letter.
bool IsCapitalised(absl::string_view word) {
  if (word.empty()) return false;
  unsigned char c = static_cast<unsigned char>(word[0]);
  if (c < 0x80) return absl::ascii_isupper(c);
  static const RE2* upper = new RE2("^[\\p{Lu}\\p{Lt}]");
  return RE2::PartialMatch(re2::StringPiece(word.data(), word.size()), *upper);
}

// Whether a word is written in capitals only and has at least two letters (USA, США, NATO).
bool IsAllCaps(absl::string_view word) {
  if (word.size() < 2) return false;
  bool ascii = true;
  for (char c : word) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) {
    for (char c : word) {
      if (!absl::ascii_isupper(static_cast<unsigned char>(c)) && !absl::ascii_isdigit(c)) {
        return false;
      }
    }
    return true;
  }
  if (!IsCapitalised(word)) return false;
  static const RE2* caps = new RE2("^[\\p{Lu}\\p{N}]+$");
  return RE2::FullMatch(re2::StringPiece(word.data(), word.size()), *caps);
}

// A Russian genitive of a country after a title ("президент Финляндии", "премьер Индии"):
// a capitalised Cyrillic word ending in "ии"; no Russian given name ends so.
bool IsRussianGenitivePlace(const text::Token& token, absl::string_view source) {
  return IsCapitalised(source) && absl::EndsWith(token.norm, "ии");
}

bool IsTitle(const text::Token& token, absl::string_view source) {
  if (TitleWords().contains(token.norm)) return true;
  if (!IsCapitalised(source)) return false;
  for (absl::string_view ending : kTitleEndings) {
    if (token.norm.size() > ending.size() && absl::EndsWith(token.norm, ending)) return true;
  }
  return false;
}

// A word the scan reads: the token, its text as written, and what separates it from the next.
class Words {
 public:
  explicit Words(const FieldText& field) : text_(*field.text), tokens_(field.tokens) {}
  size_t size() const { return tokens_.size(); }
  const text::Token& token(size_t i) const { return tokens_[i]; }
  absl::string_view source(size_t i) const {
    return absl::string_view(text_).substr(tokens_[i].begin, tokens_[i].end - tokens_[i].begin);
  }
  // The text between token i and token i + 1 (or the end).
  absl::string_view gap(size_t i) const {
    uint32_t end = i + 1 < tokens_.size() ? tokens_[i + 1].begin : text_.size();
    return absl::string_view(text_).substr(tokens_[i].end, end - tokens_[i].end);
  }
  // Whether tokens i and i + 1 belong to one name: only spaces, a hyphen or an apostrophe
  // between them, or the full stop of an initial ("Donald J. Trump").
  bool Joined(size_t i) const {
    absl::string_view g = gap(i);
    if (g.empty() || g.size() > 3) return false;
    if (g == "." || g == ". ") return tokens_[i].end - tokens_[i].begin == 1;
    for (char c : g) {
      if (c != ' ' && c != '-' && c != '\'') return false;
    }
    return g != "-" || tokens_[i].norm.size() > 1;
  }
  // Whether the gap after token i stays within a clause (no sentence or clause punctuation).
  bool SameClause(size_t i) const {
    for (char c : gap(i)) {
      if (c != ' ' && c != '-') return false;
    }
    return true;
  }
  bool IsCommaGap(size_t i) const {
    absl::string_view g = absl::StripAsciiWhitespace(gap(i));
    return g == ",";
  }

 private:
  const std::string& text_;
  const std::vector<text::Token>& tokens_;
};

bool IsNameWord(const Words& w, size_t i) {
  absl::string_view source = w.source(i);
  return IsCapitalised(source) && !IsAllCaps(source) && !NotNameWords().contains(w.token(i).norm) &&
         !IsTitle(w.token(i), source) && !TitleParts().contains(w.token(i).norm);
}

// Whether token i alone is a place or organisation the gazetteer knows ("Finland", "России"
// once the stemmed index knows it, "Kremlin").
bool IsKnownThing(const Gazetteer& g, const Words& w, size_t i) {
  std::vector<text::Token> one{w.token(i)};
  return !g.places_index().FindAll(one).empty() || !g.organisations_index().FindAll(one).empty();
}

// The name starting at token `first`: up to three name words joined as one name, particles
// allowed inside. Returns the index one past the last name word (== first: no name).
size_t NameEnd(const Words& w, size_t first) {
  if (first >= w.size() || !IsNameWord(w, first)) return first;
  size_t last = first, words = 1;
  for (size_t i = first; i + 1 < w.size() && w.Joined(i) && words < 3;) {
    size_t next = i + 1;
    // Particles: "von der Leyen", "da Silva".
    size_t particles = 0;
    while (next < w.size() && particles < 2 && NameParticles().contains(w.token(next).norm) &&
           !IsCapitalised(w.source(next)) && w.Joined(next)) {
      ++next;
      ++particles;
    }
    if (next >= w.size() || !IsNameWord(w, next) || (particles > 0 && !w.Joined(next - 1))) {
      break;
    }
    last = next;
    i = next;
    ++words;
  }
  return last + 1;
}

FoundName MakeName(const Words& w, size_t first, size_t end) {
  FoundName found;
  found.begin = w.token(first).begin;
  found.end = w.token(end - 1).end;
  found.name = std::string(w.source(first).data(), found.end - found.begin);
  return found;
}

// Small demonym table until the gazetteer has one (English forms only).
std::string CountryOfDemonym(absl::string_view norm) {
  static const auto* table = new absl::flat_hash_map<std::string, std::string>{
      {"american", "US"},  {"russian", "RU"},     {"chinese", "CN"},    {"ukrainian", "UA"},
      {"french", "FR"},    {"german", "DE"},      {"british", "GB"},    {"italian", "IT"},
      {"japanese", "JP"},  {"indian", "IN"},      {"turkish", "TR"},    {"finnish", "FI"},
      {"polish", "PL"},    {"canadian", "CA"},    {"australian", "AU"}, {"brazilian", "BR"},
      {"mexican", "MX"},   {"saudi", "SA"},       {"iranian", "IR"},    {"israeli", "IL"},
      {"hungarian", "HU"}, {"slovak", "SK"},      {"austrian", "AT"},   {"spanish", "ES"},
      {"greek", "GR"},     {"pakistani", "PK"},   {"belarusian", "BY"}, {"swedish", "SE"},
      {"norwegian", "NO"}, {"danish", "DK"},      {"dutch", "NL"},      {"belgian", "BE"},
      {"czech", "CZ"},     {"estonian", "EE"},    {"latvian", "LV"},    {"lithuanian", "LT"},
      {"romanian", "RO"},  {"bulgarian", "BG"},   {"georgian", "GE"},   {"armenian", "AM"},
      {"egyptian", "EG"},  {"syrian", "SY"},      {"iraqi", "IQ"},      {"afghan", "AF"},
      {"argentine", "AR"}, {"argentinian", "AR"}, {"indonesian", "ID"}, {"korean", "KR"}};
  auto it = table->find(norm);
  return it == table->end() ? "" : it->second;
}

// How many tokens from token i (at most 4, within one clause) make a place or organisation the
// gazetteer knows ("United States", "European Commission"); 0 when none starts there.
size_t KnownThingLength(const Gazetteer& g, const Words& w, size_t i) {
  std::vector<text::Token> span{w.token(i)};
  for (size_t j = i; j + 1 < w.size() && span.size() < 4 && w.SameClause(j); ++j) {
    span.push_back(w.token(j + 1));
  }
  size_t longest = 0;
  for (const text::PhraseIndex* index : {&g.places_index(), &g.organisations_index()}) {
    for (const auto& hit : index->FindAll(span)) {
      if (hit.first_token == 0) longest = std::max<size_t>(longest, hit.last_token + 1);
    }
  }
  return longest;
}

// The country of a place the gazetteer knows at token i ("of Finland"), or "".
std::string CountryOfPlace(const Gazetteer& g, const Words& w, size_t i) {
  std::vector<text::Token> one{w.token(i)};
  auto hits = g.places_index().FindAll(one);
  return hits.empty() ? "" : g.places()[hits[0].value].country;
}

// Whether nothing else explains a found name: it contains no known person (the dictionary
// reports those) and is not, as a whole, a known place or organisation. A first name that is
// also a town ("Anna") does not explain "Anna Smirnova".
bool NotExplained(const Gazetteer& g, const FoundName& found) {
  std::vector<text::Token> tokens = text::Tokenize(found.name);
  if (tokens.empty() || !g.people_index().FindAll(tokens).empty()) return false;
  for (const text::PhraseIndex* index : {&g.places_index(), &g.organisations_index()}) {
    for (const auto& hit : index->FindAll(tokens)) {
      if (hit.first_token == 0 && hit.last_token + 1 == tokens.size()) return false;
    }
  }
  return true;
}

}  // namespace

void ForEachTitledName(const FieldText& field, const Gazetteer& g, FoundNameVisitor visit) {
  Words w(field);
  for (size_t t = 0; t < w.size(); ++t) {
    if (!IsTitle(w.token(t), w.source(t))) continue;
    // The title as written: the title word with the title parts just before it ("Prime
    // Minister", "Foreign Minister", "vice-premier").
    size_t title_first = t;
    while (title_first > 0 && w.SameClause(title_first - 1) &&
           TitleModifiers().contains(w.token(title_first - 1).norm)) {
      --title_first;
    }
    std::string country;
    // "Finnish President", "der finnische Präsident" (one word before the title).
    if (title_first > 0 && w.SameClause(title_first - 1)) {
      country = CountryOfDemonym(w.token(title_first - 1).norm);
    }
    // Skip what stands between the title and the name: title parts, one other lower-case word
    // ("russe"), capitals and places the gazetteer knows; a further title restarts the scan.
    size_t i = t + 1;
    bool comma = false, lower_used = false;
    size_t skipped = 0;
    bool ok = w.SameClause(t) || w.IsCommaGap(t) ||
              (AbbreviatedTitles().contains(w.token(t).norm) &&
               absl::StripTrailingAsciiWhitespace(w.gap(t)) == ".");
    if (w.IsCommaGap(t)) comma = true;
    while (ok && i < w.size() && skipped < 5) {
      const text::Token& tok = w.token(i);
      absl::string_view src = w.source(i);
      if (IsTitle(tok, src)) break;  // the loop over t reaches it
      bool part = TitleParts().contains(tok.norm) && !IsNameWord(w, i);
      bool lower = !IsCapitalised(src);
      bool caps = IsAllCaps(src);
      // A place stands between title and name after "of"/"de" ("President of Finland Sauli
      // Niinistö"), in the genitive ("президент Финляндии"), or before two more name words;
      // otherwise it is a first name that is also a town ("Bundeskanzlerin Anna Schmidt").
      bool after_connector = i > t + 1 && !IsCapitalised(w.source(i - 1)) &&
                             TitleParts().contains(w.token(i - 1).norm);
      bool place = !part && !lower && !caps &&
                   (IsRussianGenitivePlace(tok, src) ||
                    (IsKnownThing(g, w, i) && (after_connector || NameEnd(w, i + 1) >= i + 3)));
      std::string demonym = CountryOfDemonym(tok.norm);
      // After "of"/"de": the institution or country the title belongs to, several words long
      // ("Speaker of the House", "President of the United States").
      size_t known = after_connector && !lower && !caps ? KnownThingLength(g, w, i) : 0;
      if (known > 1) {
        if (std::string c = CountryOfPlace(g, w, i); !c.empty()) country = c;
        skipped += known - 1;
        i += known - 1;
      } else if (after_connector && !lower && !caps && NotNameWords().contains(tok.norm)) {
        // "of the House", "of the Exchequer": part of the title.
      } else if (!part && lower && !lower_used) {
        lower_used = true;
        if (!demonym.empty()) country = demonym;
      } else if (place) {
        if (std::string c = CountryOfPlace(g, w, i); !c.empty()) country = c;
      } else if (!part && !caps) {
        break;  // the name starts here (or nothing does)
      }
      ++skipped;
      if (w.IsCommaGap(i) && !comma) {
        comma = true;
      } else if (!w.SameClause(i)) {
        ok = false;
      }
      ++i;
    }
    if (!ok || i >= w.size() || IsTitle(w.token(i), w.source(i))) continue;
    size_t end = NameEnd(w, i);
    if (end == i) continue;
    // A single word after a title is a surname only when nothing else explains it: not
    // followed by more capitals, and after a comma never alone.
    if (end - i == 1 && (comma || TitlesNeedingFullNames().contains(w.token(t).norm) ||
                         (end < w.size() && w.Joined(end - 1) && IsCapitalised(w.source(end))))) {
      continue;
    }
    FoundName found = MakeName(w, i, end);
    if (!NotExplained(g, found)) {
      t = end - 1;
      continue;
    }
    found.title =
        std::string(w.source(title_first).data(), w.token(t).end - w.token(title_first).begin);
    found.country = country;
    if (!visit(found)) return;
    t = end - 1;
  }
}

void ForEachReportedPerson(const FieldText& field, const Gazetteer& g, FoundNameVisitor visit) {
  Words w(field);
  for (size_t v = 0; v < w.size(); ++v) {
    if (!ReportingVerbs().contains(w.token(v).norm) || IsCapitalised(w.source(v))) continue;
    // Before the verb: "Maria Petrova said", "Jean Dupont a déclaré". Look back for the start.
    size_t before = v;
    if (before > 1 && Auxiliaries().contains(w.token(before - 1).norm) &&
        w.SameClause(before - 2) && w.SameClause(before - 1)) {
      --before;
    }
    if (before > 0 && (w.SameClause(before - 1) || w.IsCommaGap(before - 1))) {
      size_t last = before - 1, first = last;
      while (first > 0 && last - first < 4 && w.Joined(first - 1) &&
             (IsNameWord(w, first - 1) || NameParticles().contains(w.token(first - 1).norm))) {
        --first;
      }
      while (first < last && !IsNameWord(w, first)) ++first;
      if (IsNameWord(w, first) && IsNameWord(w, last) && NameEnd(w, first) == last + 1 &&
          last > first && (first == 0 || !IsTitle(w.token(first - 1), w.source(first - 1)))) {
        FoundName found = MakeName(w, first, last + 1);
        if (NotExplained(g, found) && !visit(found)) return;
      }
    }
    // After the verb: "sagte Olaf Scholz", "заявил Дмитрий Песков" (not after a title: the
    // titled scan has it).
    if (v + 1 < w.size() && w.SameClause(v)) {
      size_t end = NameEnd(w, v + 1);
      if (end - (v + 1) >= 2) {
        FoundName found = MakeName(w, v + 1, end);
        if (NotExplained(g, found) && !visit(found)) return;
      }
    }
  }
}

namespace {

// Whether most of a field's longer words are capitalised: a Title Case headline, where
// capitals say nothing about names.
bool IsTitleCase(const Words& w) {
  size_t long_words = 0, capitalised = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    if (w.token(i).norm.size() < 4) continue;
    ++long_words;
    capitalised += IsCapitalised(w.source(i));
  }
  return long_words >= 3 && capitalised * 3 > long_words * 2;
}

// Whether no word of the name [first, end) is a place or organisation the gazetteer knows or a
// demonym ("Australian Open", "Autoridade Palestiniana").
bool NoThingWords(const Gazetteer& g, const Words& w, size_t first, size_t end) {
  for (size_t i = first; i < end; ++i) {
    if (IsKnownThing(g, w, i) || !g.CountryOfDemonym(w.source(i)).empty()) return false;
  }
  return true;
}

// The name of words [i, end) found by its form alone, visited unless a capitalised word right
// after it makes it part of a longer name ("Robert Menzies Institute", "Paul Revere Bridge"), a
// word of it names a thing, or the gazetteer explains it. False when `visit` asked to stop.
bool VisitFormOnlyName(const Words& w, const Gazetteer& g, size_t i, size_t end,
                       FoundNameVisitor visit) {
  const bool continued = end < w.size() && w.Joined(end - 1) && IsCapitalised(w.source(end));
  if (continued || !NoThingWords(g, w, i, end)) return true;
  FoundName found = MakeName(w, i, end);
  return !NotExplained(g, found) || visit(found);
}

}  // namespace

void ForEachGivenNamePerson(const FieldText& field, const Gazetteer& g, FoundNameVisitor visit) {
  Words w(field);
  if (g.given_names().empty() || IsTitleCase(w)) return;
  for (size_t i = 0; i + 1 < w.size(); ++i) {
    if (!g.given_names().contains(w.token(i).norm) || !IsNameWord(w, i)) continue;
    // Not the tail of a longer name ("Ruth Bader Ginsburg" from "Ruth"; "Anna" inside "Maria
    // Anna Schmidt" is read from "Maria").
    if (i > 0 && w.Joined(i - 1) && IsNameWord(w, i - 1)) continue;
    const size_t end = NameEnd(w, i);
    if (end - i < 2) continue;
    if (!VisitFormOnlyName(w, g, i, end, visit)) return;
    i = end - 1;
  }
}

void ForEachMidSentenceName(const FieldText& field, const Gazetteer& g, FoundNameVisitor visit) {
  Words w(field);
  if (IsTitleCase(w)) return;
  for (size_t i = 1; i + 1 < w.size(); ++i) {
    if (IsCapitalised(w.source(i - 1)) || !IsNameWord(w, i)) continue;
    // Within the sentence: nothing but spaces, a comma or a hyphen since the lower-case word.
    bool same_sentence = true;
    for (char c : w.gap(i - 1)) same_sentence = same_sentence && (c == ' ' || c == ',' || c == '-');
    if (!same_sentence) continue;
    const size_t end = NameEnd(w, i);
    if (end - i < 2) continue;
    if (!VisitFormOnlyName(w, g, i, end, visit)) return;
    i = end - 1;
  }
}

void ForEachOrganisationName(absl::string_view text, FoundNameVisitor visit) {
  static const RE2* pattern = new RE2(
      "\\b((?:\\p{Lu}[\\p{L}'’.&-]*\\s+(?:(?:and|of|for|on)\\s+)?){1,5}"
      "(?:Council|Ministry|Agency|Fund|Group|Bank|Committee|Command|Department|Office|Union|"
      "Organization|Organisation|Commission|Institute|Party|Forces|Corporation|Company|"
      "Association|Federation|Service|Authority|Alliance|Coalition|Foundation|University))\\b");
  re2::StringPiece in(text.data(), text.size()), name;
  while (RE2::FindAndConsume(&in, *pattern, &name)) {
    absl::string_view n(name.data(), name.size());
    if (absl::StartsWith(n, "The ")) n.remove_prefix(4);
    uint32_t begin = static_cast<uint32_t>(n.data() - text.data());
    if (!visit(FoundName{std::string(n), "", begin, begin + static_cast<uint32_t>(n.size())})) {
      return;
    }
  }
}

}  // namespace sa::extract
