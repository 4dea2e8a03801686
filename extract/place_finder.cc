#include "extract/place_finder.h"

#include "extract/event_extractor.h"

namespace sa::extract {

void AddPlaces(const Gazetteer& g, const ArticleText& text, summit_alerts::v1::Event& event) {
  for (const auto& [id, mention] : FirstMentions(g.places_index(), text)) {
    if (event.places_size() >= kMaxPlaces) break;
    const PlaceEntry& entry = g.places()[id];
    auto* p = event.add_places();
    p->set_name(entry.name);
    p->set_region(entry.region);
    p->set_country(entry.country);
    p->set_lat(entry.lat);
    p->set_lon(entry.lon);
    p->set_confidence(1.0);
    for (const std::string& alias : entry.aliases) p->add_aliases(alias);
    FillEvidence(text, mention, p->mutable_evidence());
  }
}

}  // namespace sa::extract
