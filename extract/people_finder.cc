#include "extract/people_finder.h"

#include <re2/re2.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "extract/event_extractor.h"
#include "extract/name_patterns.h"

namespace sa::extract {
namespace {

using summit_alerts::v1::Event;

// A name found by its form alone (a given name): below a reporting verb's.
constexpr double kUnmarkedNameConfidence = 0.3;
// A capitalised pair in mid-sentence, in a language that capitalises only proper nouns.
constexpr double kMidSentenceNameConfidence = 0.2;

// Adds a person the gazetteer does not know, unless known or reported already. Each candidate
// is compared with at most kMaxParticipants names: linear in the text.
void AddUnknownPerson(const Gazetteer& g, const ArticleText& text, int f, const FoundName& found,
                      double confidence, Event& event, ParticipantWeight& weight) {
  if (event.participants_size() >= kMaxParticipants) return;
  for (auto& existing : *event.mutable_participants()) {
    // "Governor Mike Dunleavy said" after "Governor Mike Dunleavy": the same person. A surname
    // found first ("President Kowalski" in the title) takes the full name found later.
    if (absl::StrContains(existing.name(), found.name)) return;
    if (absl::StrContains(found.name, existing.name())) {
      if (existing.confidence() < 1.0 && absl::EndsWith(found.name, " " + existing.name())) {
        existing.set_name(found.name);
        if (existing.role().empty()) existing.set_role(found.title);
        if (existing.country().empty()) existing.set_country(found.country);
      }
      return;
    }
  }
  auto* p = event.add_participants();
  p->set_name(found.name);
  p->set_role(found.title);
  p->set_country(found.country);
  p->set_confidence(confidence);
  FillEvidence(text, {f, found.begin, found.end}, p->mutable_evidence());
  weight.others += 1;
}

// Whether a dictionary hit is written as a name: some word of it starts with a capital or with
// a letter of a script without case (Chinese, Arabic, Devanagari). "Modi" is Narendra Modi;
// "in modi diversi" (Italian: in different ways) is not.
bool WrittenAsName(const ArticleText& text, const Mention& m) {
  static const RE2* name_start = new RE2("(?:^|[^\\p{L}\\p{M}\\p{N}])[\\p{Lu}\\p{Lt}\\p{Lo}]");
  absl::string_view span =
      absl::string_view(*text.fields[m.field].text).substr(m.begin, m.end - m.begin);
  return RE2::PartialMatch(re2::StringPiece(span.data(), span.size()), *name_start);
}

}  // namespace

bool IsHeadOfStateOrGovernment(const std::string& role) {
  if (absl::StartsWith(role, "Former ") || absl::StartsWith(role, "Vice ")) return false;
  for (absl::string_view title :
       {"President of", "Prime Minister", "Chancellor", "King of", "Supreme Leader"}) {
    if (absl::StrContains(role, title)) return true;
  }
  return false;
}

ParticipantWeight AddParticipants(const Gazetteer& g, const ArticleText& text, Event& event) {
  ParticipantWeight weight;
  for (const auto& [id, mention] : FirstMentions(g.people_index(), g.people_stems(), text)) {
    if (event.participants_size() >= kMaxParticipants) break;
    // A first mention in lower case is a common word that is also a surname; a later
    // capitalised mention is not looked for (FirstMentions keeps one mention per person).
    if (!WrittenAsName(text, mention)) continue;
    const PersonEntry& person = g.people()[id];
    auto* p = event.add_participants();
    p->set_name(person.name);
    p->set_role(person.role);
    p->set_country(person.country);
    for (const std::string& alias : person.aliases) p->add_aliases(alias);
    FillEvidence(text, mention, p->mutable_evidence());
    p->set_confidence(1.0);
    (IsHeadOfStateOrGovernment(person.role) ? weight.heads : weight.others) += 1;
  }
  auto full = [&] { return event.participants_size() >= kMaxParticipants; };
  for (int f = 0; f < 2 && !full(); ++f) {
    ForEachTitledName(text.fields[f], g, [&](const FoundName& found) {
      AddUnknownPerson(g, text, f, found, 0.6, event, weight);
      return !full();
    });
  }
  for (int f = 0; f < 2 && !full(); ++f) {
    ForEachReportedPerson(text.fields[f], g, [&](const FoundName& found) {
      AddUnknownPerson(g, text, f, found, 0.4, event, weight);
      return !full();
    });
  }
  // Names with nothing beside them: a known given name with a surname.
  for (int f = 0; f < 2 && !full(); ++f) {
    ForEachGivenNamePerson(text.fields[f], g, [&](const FoundName& found) {
      AddUnknownPerson(g, text, f, found, kUnmarkedNameConfidence, event, weight);
      return !full();
    });
  }
  // In Latin-script languages that capitalise only proper nouns, a capitalised pair in
  // mid-sentence. (Cyrillic and Greek names would need a transliteration to match a rule or a
  // label written in English: "Анна Смирнова" is no `participant:Anna Smirnova`.)
  static const auto* proper_noun_languages =
      new absl::flat_hash_set<std::string>{"pt", "es", "it", "fr", "ca", "ro", "sk", "cs", "pl",
                                           "sl", "hr", "nl", "sv", "da", "no", "fi", "hu", "tr"};
  if (proper_noun_languages->contains(text.language)) {
    for (int f = 0; f < 2 && !full(); ++f) {
      ForEachMidSentenceName(text.fields[f], g, [&](const FoundName& found) {
        AddUnknownPerson(g, text, f, found, kMidSentenceNameConfidence, event, weight);
        return !full();
      });
    }
  }
  return weight;
}

}  // namespace sa::extract
