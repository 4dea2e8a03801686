#include "notifier/match/match_index.h"

#include <algorithm>
#include <optional>

#include "absl/hash/hash.h"
#include "absl/strings/str_split.h"

namespace sa::notifier {
namespace {

uint64_t KeyHash(absl::string_view text) { return absl::Hash<absl::string_view>{}(text); }

// The relative cost of filing under a word: how many events are likely to contain it.
// Short and function words occur everywhere; a prefix hits every word it starts.
double WordCost(absl::string_view word, bool prefix) {
  static constexpr absl::string_view kCommon[] = {
      "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "had", "has",
      "have", "he", "her", "his", "in", "is", "it", "its", "new", "not", "of", "on", "or",
      "said", "she", "that", "the", "their", "they", "this", "to", "was", "were", "will", "with"};
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
  auto child = [&](uint16_t i) -> const RuleNode& { return rule.nodes[rule.child_ids[node.first + i]]; };
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

std::vector<AnchorKey> AnchorKeys(const CompiledSubscription& sub) {
  std::optional<Anchors> chosen;
  if (!sub.rule.empty()) chosen = NodeAnchors(sub.rule, sub.rule.root());
  if (!sub.topics.empty()) {
    // Topics are required too: file under them when cheaper (or when the rule cannot anchor).
    Anchors topics;
    for (const std::string& topic : sub.topics) {
      RuleTerm term;
      term.words = topic;
      Anchors one = TermAnchor(term);
      topics.keys.push_back(std::move(one.keys[0]));
      topics.cost += one.cost;
    }
    if (!chosen || topics.cost < chosen->cost) chosen = std::move(topics);
  }
  if (!chosen) return {};
  std::vector<AnchorKey> keys;
  for (auto& key : chosen->keys) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
  }
  return keys;
}

MatchIndex::MatchIndex() = default;
MatchIndex::~MatchIndex() = default;

MatchIndex::Postings& MatchIndex::PostingsFor(const AnchorKey& key) {
  if (!key.prefix) return exact_[KeyHash(key.text)];
  uint32_t length = static_cast<uint32_t>(key.text.size());
  if (prefix_length_count_[length]++ == 0) {
    prefix_lengths_.insert(std::upper_bound(prefix_lengths_.begin(), prefix_lengths_.end(), length), length);
  }
  return prefix_[KeyHash(key.text)];
}

void MatchIndex::Upsert(CompiledSubscription sub) {
  std::vector<AnchorKey> keys = AnchorKeys(sub);
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
  for (const AnchorKey& key : keys) PostingsFor(key).push_back(slot);
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
  for (const AnchorKey& key : AnchorKeys(sub)) {
    auto& map = key.prefix ? prefix_ : exact_;
    auto it = map.find(KeyHash(key.text));
    if (it == map.end()) continue;
    Postings& postings = it->second;
    auto pos = std::find(postings.begin(), postings.end(), slot);
    if (pos != postings.end()) {
      *pos = postings.back();
      postings.pop_back();
    }
    if (postings.empty()) map.erase(it);
    if (key.prefix) {
      uint32_t length = static_cast<uint32_t>(key.text.size());
      if (--prefix_length_count_[length] == 0) {
        prefix_length_count_.erase(length);
        prefix_lengths_.erase(std::find(prefix_lengths_.begin(), prefix_lengths_.end(), length));
      }
    }
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
  auto add = [&](const absl::flat_hash_map<uint64_t, Postings>& map, absl::string_view key) {
    auto it = map.find(KeyHash(key));
    if (it != map.end()) slots.insert(slots.end(), it->second.begin(), it->second.end());
  };
  document.ForEachWord([&](absl::string_view word) {
    add(exact_, word);
    for (uint32_t length : prefix_lengths_) {
      if (length > word.size()) break;
      add(prefix_, word.substr(0, length));
    }
  });
  std::sort(slots.begin(), slots.end());
  slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
}

std::vector<SubscriptionMatch> MatchIndex::Match(const EventDocument& document, MatchStats* stats) const {
  std::vector<SubscriptionMatch> result;
  std::vector<uint32_t> slots;
  absl::ReaderMutexLock lock(&mu_);
  Candidates(document, slots);
  for (uint32_t slot : slots) {
    const CompiledSubscription& sub = *slots_[slot];
    MatchOutcome outcome = EvaluateSubscription(sub, document);
    if (outcome.matched) result.push_back({sub.id, std::move(outcome.matches), sub.has_webhooks});
  }
  if (stats != nullptr) {
    stats->candidates = slots.size();
    stats->matched = result.size();
  }
  std::sort(result.begin(), result.end(),
            [](const SubscriptionMatch& a, const SubscriptionMatch& b) { return a.subscription_id < b.subscription_id; });
  return result;
}

size_t MatchIndex::CountCandidates(const EventDocument& document) const {
  std::vector<uint32_t> slots;
  absl::ReaderMutexLock lock(&mu_);
  Candidates(document, slots);
  return slots.size();
}

}  // namespace sa::notifier
