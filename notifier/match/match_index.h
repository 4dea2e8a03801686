// The matching engine: an index from words to the subscriptions that need them (a
// presearcher in Lucene Monitor's sense), so an event costs what its own words and the
// subscriptions they hit cost, not what the number of subscriptions does.
//
// Each subscription is filed under one or two groups of "anchor" keys such that any event it
// matches contains at least one key of every group: for a term its rarest word (or its
// prefix, for `cyber*`); for AND the cheapest child's group, or the two cheapest children's;
// for OR the union of its children's; topics when the rule alone cannot anchor (`-Syria` with
// topics). Per event, each distinct word of the EventDocument is looked up once among exact
// keys and once per registered prefix length; only the subscriptions with a hit in every
// group are evaluated in full (SubscriptionMatches). The design and its measurements against
// vectorscan and RE2::Set are in docs/MATCHING.md.
//
// Live updates: Upsert/Remove change the index in place in O(anchors + posting length)
// under a writer lock, so an update is visible to the very next Match; there is no rebuild.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "notifier/match/subscription_rule.h"

namespace sa::notifier {

struct AnchorKey {
  std::string text;  // a normalised word, or a word prefix
  bool prefix = false;
  bool operator==(const AnchorKey& o) const { return prefix == o.prefix && text == o.text; }
};

// The anchor groups the index files `sub` under, cheapest first: an event it matches has at
// least one key of every group. One group, or two when the rule (with its topics) requires
// two independent things and the second is selective (not a function word): then the
// subscription is evaluated only for events that have both, so `anchorage bakotu` is not
// evaluated for every story about Anchorage. Never empty for a subscription that
// CompileSubscription accepted.
inline constexpr size_t kMaxAnchorGroups = 2;
std::vector<std::vector<AnchorKey>> AnchorGroups(const CompiledSubscription& sub);

struct SubscriptionMatch {
  std::string subscription_id;
  std::vector<TermMatch> matches;  // views the event's strings: use while the event lives
  bool has_webhooks = false;       // as CompiledSubscription::has_webhooks
};

struct MatchStats {
  size_t candidates = 0;  // subscriptions evaluated in full (a hit in every anchor group)
  size_t matched = 0;
};

// Thread-safe: any number of concurrent Match calls; updates take a short writer lock.
class MatchIndex {
 public:
  MatchIndex();
  ~MatchIndex();
  MatchIndex(const MatchIndex&) = delete;
  MatchIndex& operator=(const MatchIndex&) = delete;

  // Adds the subscription, replacing any with the same id.
  void Upsert(CompiledSubscription sub);
  // False when no subscription has this id.
  bool Remove(absl::string_view id);
  size_t size() const;

  // Every subscription the event matches, with its explanation, in no particular order.
  std::vector<SubscriptionMatch> Match(const EventDocument& document,
                                       MatchStats* stats = nullptr) const;

  // The presearch alone: slots of the subscriptions an event's words hit (for benchmarks).
  size_t CountCandidates(const EventDocument& document) const;

 private:
  // A posting: slot << 2 | group << 1 | (groups - 1), so the presearch knows from the
  // postings alone whether every group of a slot was hit.
  using Postings = std::vector<uint32_t>;
  // Slots are below 2^30.
  static uint32_t Posting(uint32_t slot, size_t group, size_t groups) {
    return slot << 2 | static_cast<uint32_t>(group) << 1 | static_cast<uint32_t>(groups - 1);
  }
  void Candidates(const EventDocument& document, std::vector<uint32_t>& slots) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void RemoveSlot(uint32_t slot) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Postings& PostingsFor(const AnchorKey& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ErasePosting(const AnchorKey& key, uint32_t posting) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<CompiledSubscription>> slots_ ABSL_GUARDED_BY(mu_);
  std::vector<uint32_t> free_slots_ ABSL_GUARDED_BY(mu_);
  // Keys view the id held by the slot's CompiledSubscription.
  absl::flat_hash_map<absl::string_view, uint32_t> slot_by_id_ ABSL_GUARDED_BY(mu_);
  // Keyed by a 64-bit hash of the key text: a collision only adds a candidate, which full
  // evaluation then rejects.
  absl::flat_hash_map<uint64_t, Postings> exact_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, Postings> prefix_ ABSL_GUARDED_BY(mu_);
  // How many prefix keys have each byte length; the lengths to probe per event word.
  absl::flat_hash_map<uint32_t, uint32_t> prefix_length_count_ ABSL_GUARDED_BY(mu_);
  std::vector<uint32_t> prefix_lengths_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sa::notifier
