#include "extract/topic_classifier.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "extract/event_extractor.h"

namespace sa::extract {
namespace {

constexpr int kMaxKeywords = 20;
constexpr int kMaxDepth = 8;  // the taxonomy is shallow; this bounds a walk up a bad file

struct TopicTally {
  double hits = 0;
  Mention first;
  bool has_first = false;
};

}  // namespace

void AddTopicsAndKeywords(const Gazetteer& g, const ArticleText& text,
                          summit_alerts::v1::Event& event) {
  absl::flat_hash_map<uint32_t, TopicTally> tallies;
  std::vector<std::string> keywords;
  absl::flat_hash_set<std::string> keyword_seen;
  for (int f = 0; f < 2; ++f) {
    // A word counts once per topic, even when two cues of the topic match it ("sanction*",
    // "sanctions").
    absl::flat_hash_set<uint64_t> seen;
    for (const auto& hit : g.topic_cues().FindAll(text.fields[f].tokens)) {
      if (!seen.insert(uint64_t{hit.value >> 16} << 32 | hit.first_token).second) continue;
      TopicTally& tally = tallies[hit.value >> 16];
      tally.hits += f == 0 ? 2 : 1;
      const Mention m = text.Span(f, hit.first_token, hit.last_token);
      if (!tally.has_first) tally.first = m, tally.has_first = true;
      if (static_cast<int>(keywords.size()) >= kMaxKeywords) continue;
      std::string keyword = hit.stemmed ? text.fields[f].text->substr(m.begin, m.end - m.begin)
                                        : g.cue_text(hit.value, /*topic=*/true);
      if (keyword_seen.insert(text::NormalizePhrase(keyword)).second) {
        keywords.push_back(std::move(keyword));
      }
    }
  }
  double best = 0;
  for (const auto& [id, tally] : tallies) best = std::max(best, tally.hits);
  // The event's type implies a topic (a summit is a diplomacy story): as strong as a title cue.
  for (uint32_t t = 0; t < g.event_types().size(); ++t) {
    const EventTypeEntry& type = g.event_types()[t];
    if (type.type != event.type() || type.topic.empty()) continue;
    for (uint32_t id = 0; id < g.topics().size(); ++id) {
      if (g.topics()[id].name != type.topic) continue;
      TopicTally& tally = tallies[id];
      tally.hits += kMinTopicHits;
      if (!tally.has_first && event.has_type_evidence()) {
        const auto& ev = event.type_evidence();
        tally.first = {ev.field() == "title" ? 0 : 1, ev.begin(), ev.end()};
        tally.has_first = true;
      }
    }
  }
  // In a short body (a feed entry's summary) one mention is the subject; in a long one it may be
  // a passing mention. In a short entry a topic far weaker than its main one (cue words only,
  // not the type's support) is a side mention too: one body word beside a subject named in the
  // title and again in the body. (A long story's counts grow with its length, general words of
  // its top level most: there the two hits decide.)
  const bool short_body = text.fields[1].tokens.size() < kShortBodyWords;
  const double needed = short_body ? std::max(1.0, kMinShareOfBestTopic * best) : kMinTopicHits;

  // The topics with enough evidence, then their ancestors: each topic's hits and evidence are
  // those of the strongest of itself and its chosen descendants.
  absl::flat_hash_map<std::string, uint32_t> by_name;
  for (uint32_t id = 0; id < g.topics().size(); ++id) by_name.emplace(g.topics()[id].name, id);
  absl::flat_hash_map<uint32_t, const TopicTally*> chosen;
  for (const auto& [id, tally] : tallies) {
    if (tally.hits < needed) continue;
    uint32_t t = id;
    for (int depth = 0; depth < kMaxDepth; ++depth) {
      auto [it, inserted] = chosen.try_emplace(t, &tally);
      if (!inserted && it->second->hits < tally.hits) it->second = &tally;
      const std::string& parent = g.topics()[t].parent;
      auto p = parent.empty() ? by_name.end() : by_name.find(parent);
      if (p == by_name.end()) break;
      t = p->second;
    }
  }
  std::vector<std::pair<double, uint32_t>> ranked;
  for (const auto& [id, tally] : chosen) ranked.push_back({-tally->hits, id});
  std::sort(ranked.begin(), ranked.end());
  if (ranked.size() > static_cast<size_t>(kMaxTopics)) ranked.resize(kMaxTopics);
  for (const auto& [neg_hits, id] : ranked) {
    const TopicEntry& entry = g.topics()[id];
    auto* t = event.add_topics();
    t->set_name(entry.name);
    t->set_score(1.0 - std::pow(0.5, -neg_hits));
    t->set_iptc_id(entry.iptc_id);
    t->set_parent(entry.parent);
    FillEvidence(text, chosen[id]->first, t->mutable_evidence());
  }
  for (std::string& k : keywords) event.add_keywords(std::move(k));
}

}  // namespace sa::extract
