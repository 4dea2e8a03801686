#include "extract/event_type_classifier.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"

namespace sa::extract {
namespace {

enum class CueKind { kCue, kWeak, kVeto };

CueKind KindOf(const EventTypeEntry& entry, uint32_t cue) {
  if (cue < entry.cues) return CueKind::kCue;
  if (cue < entry.cues + entry.weak) return CueKind::kWeak;
  return CueKind::kVeto;
}

bool IsOfficialBody(const std::string& kind) {
  return kind == "government" || kind == "international organisation" ||
         kind == "international forum" || kind == "military alliance" || kind == "legislature";
}

}  // namespace

bool HasDiplomaticActors(const Gazetteer& g, const ArticleText& text,
                         const summit_alerts::v1::Event& event) {
  for (const auto& p : event.participants()) {
    if (p.confidence() >= 1.0) return true;  // the gazetteer lists public figures
  }
  for (const auto& o : event.organisations()) {
    if (IsOfficialBody(o.kind())) return true;
  }
  absl::flat_hash_set<std::string> countries;
  for (const auto& p : event.places()) {
    if (p.kind() == "country" && countries.insert(p.name()).second && countries.size() >= 2) {
      return true;
    }
  }
  for (const FieldText& field : text.fields) {
    if (!g.diplomatic_actor_cues().FindAll(field.tokens).empty()) return true;
  }
  return false;
}

void SetEventType(const Gazetteer& g, const ArticleText& text, summit_alerts::v1::Event& event) {
  struct Found {
    uint32_t type, token;
    int field;
    CueKind kind;
    Mention mention;
  };
  std::vector<Found> found;
  for (int f = 0; f < 2; ++f) {
    // A word counts once per type, even when two cues of the type match it ("summit", "summit*");
    // a veto starting at the same word is kept ("meeting" and "meeting with the press").
    absl::flat_hash_set<uint64_t> seen;
    for (const auto& hit : g.event_type_cues().FindAll(text.fields[f].tokens)) {
      const uint32_t type = hit.value >> 16;
      const CueKind kind = KindOf(g.event_types()[type], hit.value & 0xffff);
      const bool veto = kind == CueKind::kVeto;
      if (!seen.insert(uint64_t{type} << 33 | uint64_t{veto} << 32 | hit.first_token).second) {
        continue;
      }
      found.push_back(
          {type, hit.first_token, f, kind, text.Span(f, hit.first_token, hit.last_token)});
    }
  }
  bool any_weak = false;
  for (const Found& c : found) any_weak |= c.kind == CueKind::kWeak;
  const bool actors = any_weak && HasDiplomaticActors(g, text, event);

  // Per type: vetoed everywhere (a veto in the title), and the word positions of vetoes in each
  // field, ascending (hits come in order), so each cue checks its window in O(log n).
  const size_t types = g.event_types().size();
  std::vector<bool> title_veto(types, false);
  std::vector<std::vector<uint32_t>> vetoes[2] = {std::vector<std::vector<uint32_t>>(types),
                                                  std::vector<std::vector<uint32_t>>(types)};
  for (const Found& v : found) {
    if (v.kind != CueKind::kVeto) continue;
    if (v.field == 0) title_veto[v.type] = true;
    vetoes[v.field][v.type].push_back(v.token);
  }
  auto vetoed = [&](const Found& c) {
    if (title_veto[c.type]) return true;
    const std::vector<uint32_t>& near = vetoes[c.field][c.type];
    auto it = std::lower_bound(near.begin(), near.end(),
                               c.token > kVetoWindow ? c.token - kVetoWindow : 0);
    return it != near.end() && *it <= c.token + kVetoWindow;
  };

  std::vector<int> score(types, 0);
  std::vector<const Found*> first(types, nullptr);
  for (const Found& c : found) {
    if (c.kind == CueKind::kVeto || (c.kind == CueKind::kWeak && !actors)) continue;
    if (vetoed(c)) continue;
    score[c.type] += c.field == 0 ? 3 : 1;
    if (first[c.type] == nullptr) first[c.type] = &c;
  }
  int best = -1;
  for (size_t t = 0; t < score.size(); ++t) {
    if (score[t] > 0 && (best < 0 || score[t] > score[best])) best = static_cast<int>(t);
  }
  event.set_type(best < 0 ? "other" : g.event_types()[best].type);
  if (best >= 0) FillEvidence(text, first[best]->mention, event.mutable_type_evidence());
}

}  // namespace sa::extract
