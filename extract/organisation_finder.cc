#include "extract/organisation_finder.h"

#include "absl/container/flat_hash_set.h"
#include "extract/event_extractor.h"
#include "extract/name_patterns.h"

namespace sa::extract {

void AddOrganisations(const Gazetteer& g, const ArticleText& text,
                      summit_alerts::v1::Event& event) {
  absl::flat_hash_set<std::string> names;
  for (const auto& [id, mention] :
       FirstMentions(g.organisations_index(), g.organisations_stems(), text)) {
    if (event.organisations_size() >= kMaxOrganisations) break;
    const OrganisationEntry& entry = g.organisations()[id];
    auto* o = event.add_organisations();
    o->set_name(entry.name);
    o->set_kind(entry.kind);
    o->set_country(entry.country);
    for (const std::string& alias : entry.aliases) o->add_aliases(alias);
    FillEvidence(text, mention, o->mutable_evidence());
    o->set_confidence(1.0);
    names.insert(entry.name);
  }
  for (int f = 0; f < 2 && event.organisations_size() < kMaxOrganisations; ++f) {
    ForEachOrganisationName(*text.fields[f].text, [&](const FoundName& found) {
      if (names.contains(found.name) || g.Knows(found.name)) return true;
      names.insert(found.name);
      auto* o = event.add_organisations();
      o->set_name(found.name);
      o->set_confidence(0.5);
      FillEvidence(text, {f, found.begin, found.end}, o->mutable_evidence());
      return event.organisations_size() < kMaxOrganisations;
    });
  }
}

}  // namespace sa::extract
