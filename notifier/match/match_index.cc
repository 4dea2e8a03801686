#include "notifier/match/match_index.h"

#include <algorithm>
#include <bit>
#include <optional>

#include "absl/strings/str_split.h"

namespace sa::notifier {
namespace {

uint64_t KeyHash(absl::string_view text) { return text::WordHash(text); }

// The relative cost of filing under a word: how many events are likely to contain it.
// Short and function words occur everywhere; a prefix hits every word it starts.
double WordCost(absl::string_view word, bool prefix) {
  static constexpr absl::string_view kCommon[] = {
      "a",     "an",   "and",  "are",  "as",  "at",   "be",   "but", "by",   "for",
      "from",  "had",  "has",  "have", "he",  "her",  "his",  "in",  "is",   "it",
      "its",   "new",  "not",  "of",   "on",  "or",   "said", "she", "that", "the",
      "their", "they", "this", "to",   "was", "were", "will", "with"};
  for (absl::string_view common : kCommon) {
    if (word == common) return 1000;
  }
  double cost = 64.0 / static_cast<double>(1 + word.size());
  return prefix ? cost * 4 : cost;
}

struct Anchors {
  std::vector<AnchorKey> keys;
  double cost = 0;
};

Anchors TermAnchor(const RuleTerm& term) {
  std::vector<absl::string_view> words = absl::StrSplit(term.words, ' ');
  Anchors best;
  for (size_t i = 0; i < words.size(); ++i) {
    bool prefix = term.prefix && i + 1 == words.size();
    double cost = WordCost(words[i], prefix);
    if (best.keys.empty() || cost < best.cost) {
      best.keys = {AnchorKey{std::string(words[i]), prefix}};
      best.cost = cost;
    }
  }
  return best;
}

std::optional<Anchors> NodeAnchors(const Rule& rule, const RuleNode& node) {
  auto child = [&](uint16_t i) -> const RuleNode& {
    return rule.nodes[rule.child_ids[node.first + i]];
  };
  switch (node.kind) {
    case RuleNode::Kind::kTerm:
      return TermAnchor(rule.terms[node.first]);
    case RuleNode::Kind::kNot:
      return std::nullopt;
    case RuleNode::Kind::kAnd: {
      std::optional<Anchors> best;
      for (uint16_t i = 0; i < node.count; ++i) {
        auto anchors = NodeAnchors(rule, child(i));
        if (anchors && (!best || anchors->cost < best->cost)) best = std::move(anchors);
      }
      return best;
    }
    case RuleNode::Kind::kOr: {
      Anchors all;
      for (uint16_t i = 0; i < node.count; ++i) {
        auto anchors = NodeAnchors(rule, child(i));
        if (!anchors) return std::nullopt;
        for (auto& key : anchors->keys) all.keys.push_back(std::move(key));
        all.cost += anchors->cost;
      }
      return all;
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::vector<AnchorKey>> AnchorGroups(const CompiledSubscription& sub) {
  // Every necessary condition with its anchors: the top-level AND's children (or the whole
  // rule), and the topics, which are required too.
  std::vector<Anchors> required;
  if (!sub.rule.empty()) {
    const RuleNode& root = sub.rule.root();
    if (root.kind == RuleNode::Kind::kAnd) {
      for (uint16_t i = 0; i < root.count; ++i) {
        const RuleNode& child = sub.rule.nodes[sub.rule.child_ids[root.first + i]];
        if (auto anchors = NodeAnchors(sub.rule, child)) required.push_back(std::move(*anchors));
      }
    } else if (auto anchors = NodeAnchors(sub.rule, root)) {
      required.push_back(std::move(*anchors));
    }
  }
  if (!sub.topics.empty()) {
    Anchors topics;
    for (const std::string& topic : sub.topics) {
      RuleTerm term;
      term.words = topic;
      Anchors one = TermAnchor(term);
      topics.keys.push_back(std::move(one.keys[0]));
      topics.cost += one.cost;
    }
    required.push_back(std::move(topics));
  }
  std::stable_sort(required.begin(), required.end(),
                   [](const Anchors& a, const Anchors& b) { return a.cost < b.cost; });
  // A second group only when it is selective: a function word would put the subscription in
  // a posting list that every event hits.
  constexpr double kMaxSecondGroupCost = 100;
  std::vector<std::vector<AnchorKey>> groups;
  for (Anchors& anchors : required) {
    if (groups.size() == kMaxAnchorGroups ||
        (!groups.empty() && anchors.cost >= kMaxSecondGroupCost))
      break;
    std::vector<AnchorKey>& keys = groups.emplace_back();
    for (auto& key : anchors.keys) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
    }
  }
  return groups;
}

MatchIndex::MatchIndex() = default;
MatchIndex::~MatchIndex() = default;

MatchIndex::Postings& MatchIndex::PostingsFor(const AnchorKey& key) {
  if (!key.prefix) return exact_[KeyHash(key.text)];
  uint32_t length = static_cast<uint32_t>(key.text.size());
  if (prefix_length_count_[length]++ == 0) {
    prefix_lengths_.insert(std::upper_bound(prefix_lengths_.begin(), prefix_lengths_.end(), length),
                           length);
  }
  return prefix_[KeyHash(key.text)];
}

void MatchIndex::ErasePosting(const AnchorKey& key, uint32_t posting) {
  auto& map = key.prefix ? prefix_ : exact_;
  if (auto it = map.find(KeyHash(key.text)); it != map.end()) {
    Postings& postings = it->second;
    if (auto pos = std::find(postings.begin(), postings.end(), posting); pos != postings.end()) {
      *pos = postings.back();
      postings.pop_back();
    }
    if (postings.empty()) map.erase(it);
  }
  if (key.prefix) {
    uint32_t length = static_cast<uint32_t>(key.text.size());
    if (--prefix_length_count_[length] == 0) {
      prefix_length_count_.erase(length);
      prefix_lengths_.erase(std::find(prefix_lengths_.begin(), prefix_lengths_.end(), length));
    }
  }
}

void MatchIndex::Upsert(CompiledSubscription sub) {
  std::vector<std::vector<AnchorKey>> groups = AnchorGroups(sub);
  auto owned = std::make_unique<CompiledSubscription>(std::move(sub));
  absl::WriterMutexLock lock(&mu_);
  if (auto it = slot_by_id_.find(owned->id); it != slot_by_id_.end()) RemoveSlot(it->second);
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    for (const AnchorKey& key : groups[g])
      PostingsFor(key).push_back(Posting(slot, g, groups.size()));
  }
  slot_by_id_[owned->id] = slot;
  slots_[slot] = std::move(owned);
}

bool MatchIndex::Remove(absl::string_view id) {
  absl::WriterMutexLock lock(&mu_);
  auto it = slot_by_id_.find(id);
  if (it == slot_by_id_.end()) return false;
  RemoveSlot(it->second);
  return true;
}

void MatchIndex::RemoveSlot(uint32_t slot) {
  const CompiledSubscription& sub = *slots_[slot];
  std::vector<std::vector<AnchorKey>> groups = AnchorGroups(sub);
  for (size_t g = 0; g < groups.size(); ++g) {
    for (const AnchorKey& key : groups[g]) ErasePosting(key, Posting(slot, g, groups.size()));
  }
  slot_by_id_.erase(sub.id);
  slots_[slot].reset();
  free_slots_.push_back(slot);
}

size_t MatchIndex::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return slot_by_id_.size();
}

void MatchIndex::Candidates(const EventDocument& document, std::vector<uint32_t>& slots) const {
  // Postings of one-group subscriptions name candidates directly; those of two-group ones
  // are counted first.
  std::vector<uint32_t> two_group;
  two_group.reserve(1024);
  auto add = [&](const absl::flat_hash_map<uint64_t, Postings>& map, uint64_t hash) {
    auto it = map.find(hash);
    if (it == map.end()) return;
    for (uint32_t posting : it->second) {
      if (posting & 1) {
        two_group.push_back(posting);
      } else {
        slots.push_back(posting >> 2);
      }
    }
  };
  document.ForEachWord([&](absl::string_view word, uint64_t hash) {
    add(exact_, hash);
    for (uint32_t length : prefix_lengths_) {
      if (length > word.size()) break;
      add(prefix_, KeyHash(word.substr(0, length)));
    }
  });
  // Which groups of each two-group slot were hit: a small open-addressing table of
  // (slot + 1) << 2 | groups, at most half full. A slot becomes a candidate when its second
  // group is hit (a group hit through several keys counts once).
  if (!two_group.empty()) {
    std::vector<uint32_t> table(std::bit_ceil(2 * two_group.size()), 0);
    const uint32_t mask = static_cast<uint32_t>(table.size() - 1);
    for (uint32_t posting : two_group) {
      const uint32_t slot = posting >> 2;
      const uint32_t group_bit = 1u << ((posting >> 1) & 1);
      uint32_t i = (slot * 0x9e3779b1u) & mask;
      while (table[i] != 0 && table[i] >> 2 != slot + 1) i = (i + 1) & mask;
      if (table[i] == 0) {
        table[i] = (slot + 1) << 2 | group_bit;
      } else if (!(table[i] & group_bit)) {
        table[i] |= group_bit;
        slots.push_back(slot);
      }
    }
  }
  // Slot order: stable output and friendlier memory access; one-group slots may repeat.
  std::sort(slots.begin(), slots.end());
  slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
}

std::vector<SubscriptionMatch> MatchIndex::Match(const EventDocument& document,
                                                 MatchStats* stats) const {
  std::vector<SubscriptionMatch> result;
  std::vector<uint32_t> slots;
  absl::ReaderMutexLock lock(&mu_);
  Candidates(document, slots);
  result.reserve(slots.size());
  for (uint32_t slot : slots) {
    const CompiledSubscription& sub = *slots_[slot];
    if (SubscriptionMatches(sub, document))
      result.push_back({sub.id, ExplainMatch(sub, document), sub.has_webhooks});
  }
  if (stats != nullptr) {
    stats->candidates = slots.size();
    stats->matched = result.size();
  }
  return result;
}

size_t MatchIndex::CountCandidates(const EventDocument& document) const {
  std::vector<uint32_t> slots;
  absl::ReaderMutexLock lock(&mu_);
  Candidates(document, slots);
  return slots.size();
}

}  // namespace sa::notifier
