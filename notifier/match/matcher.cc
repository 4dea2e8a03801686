#include "notifier/match/matcher.h"

namespace sa::notifier {

using summit_alerts::v1::Match;

EventText::EventText(const summit_alerts::v1::Event& event) {
  Add("title", event.title());
  // The summary is the body's lead: search it only when the event carries no body.
  Add("body", event.body().empty() ? event.summary() : event.body());
  for (const auto& p : event.participants()) Add("participant", p.name());
  for (const auto& p : event.places()) Add("place", p.name());
  for (const auto& t : event.topics()) Add("topic", t.name());
  for (const auto& k : event.keywords()) Add("keyword", k);
  Add("type", event.type());
  Add("source", event.source());
}

void EventText::Add(std::string field, const std::string& text) {
  if (text.empty()) return;
  uint32_t entry_index = static_cast<uint32_t>(entries_.size());
  entries_.push_back({std::move(field), text, text::Tokenize(text)});
  const auto& tokens = entries_.back().tokens;
  for (uint32_t t = 0; t < tokens.size(); ++t) words_[tokens[t].norm].push_back({entry_index, t});
}

std::vector<Match> EventText::Find(const QueryTerm& term) const {
  std::vector<Match> found;
  auto it = words_.find(term.words[0]);
  if (it == words_.end()) return found;
  for (const auto& [entry_index, first] : it->second) {
    const Entry& entry = entries_[entry_index];
    if (first + term.words.size() > entry.tokens.size()) continue;
    bool all = true;
    for (size_t w = 1; w < term.words.size() && all; ++w) {
      all = entry.tokens[first + w].norm == term.words[w];
    }
    if (!all) continue;
    bool field_seen = false;
    for (const Match& m : found) field_seen |= m.field() == entry.field;
    if (field_seen) continue;
    Match& m = found.emplace_back();
    m.set_term(term.text);
    m.set_field(entry.field);
    uint32_t begin = entry.tokens[first].begin;
    uint32_t end = entry.tokens[first + term.words.size() - 1].end;
    m.set_text(entry.text.substr(begin, end - begin));
  }
  return found;
}

std::vector<Match> MatchQuery(const Query& query, const EventText& text) {
  std::vector<Match> matches;
  for (const QueryTerm& term : query.terms) {
    std::vector<Match> found = text.Find(term);
    if (term.negated != found.empty()) return {};
    for (Match& m : found) matches.push_back(std::move(m));
  }
  return matches;
}

}  // namespace sa::notifier
