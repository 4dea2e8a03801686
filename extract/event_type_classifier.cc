#include "extract/event_type_classifier.h"

#include "absl/container/flat_hash_map.h"

namespace sa::extract {

void SetEventType(const Gazetteer& g, const ArticleText& text, summit_alerts::v1::Event& event) {
  struct TypeTally {
    int hits = 0;
    Mention first;
  };
  absl::flat_hash_map<uint32_t, TypeTally> tallies;
  for (int f = 0; f < 2; ++f) {
    for (const auto& hit : g.event_type_cues().FindAll(text.fields[f].tokens)) {
      auto [it, inserted] = tallies.try_emplace(hit.value >> 16);
      if (inserted) it->second.first = text.Span(f, hit.first_token, hit.last_token);
      it->second.hits += f == 0 ? 3 : 1;
    }
  }
  const TypeTally* best = nullptr;
  std::string type = "other";
  for (uint32_t id = 0; id < g.event_types().size(); ++id) {
    auto it = tallies.find(id);
    if (it != tallies.end() && (best == nullptr || it->second.hits > best->hits)) {
      best = &it->second;
      type = g.event_types()[id].type;
    }
  }
  event.set_type(type);
  if (best != nullptr) FillEvidence(text, best->first, event.mutable_type_evidence());
}

}  // namespace sa::extract
