// Matches events against parsed queries and explains each match.
//
// The event's fields (title, body, participants, places, topics, keywords, type, source) are
// tokenised once into an EventText; each query term is then looked up by its first word.
// This first matcher checks every subscription per event (cost grows with their number).
#pragma once

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/text/tokenize.h"
#include "notifier/rules/query.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::notifier {

// The searchable text of one event. Immutable after construction.
class EventText {
 public:
  explicit EventText(const summit_alerts::v1::Event& event);

  // A Match for the first occurrence of `term` in each field it occurs in; empty if none.
  std::vector<summit_alerts::v1::Match> Find(const QueryTerm& term) const;

 private:
  struct Entry {
    std::string field;
    std::string text;
    std::vector<text::Token> tokens;
  };
  void Add(std::string field, const std::string& text);

  std::vector<Entry> entries_;
  // first word -> (entry, token index) of every occurrence
  absl::flat_hash_map<std::string, std::vector<std::pair<uint32_t, uint32_t>>> words_;
};

// The explanation of a match (one Match per term and field), or empty when `query` does not
// match: a positive term is missing or a negated one occurs.
std::vector<summit_alerts::v1::Match> MatchQuery(const Query& query, const EventText& text);

}  // namespace sa::notifier
