// The matching engine: anchors, live updates, and a differential test against a
// straightforward evaluator that checks every rule directly by substring search.
#include "notifier/match/match_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "extract/event_extractor.h"
#include "notifier/rules/rule_parser.h"

namespace sa::notifier {
namespace {

using summit_alerts::v1::Event;
using summit_alerts::v1::Subscription;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

CompiledSubscription Compile(const std::string& id, const std::string& query,
                             std::vector<std::string> topics = {}) {
  Subscription sub;
  sub.set_id(id);
  sub.set_query(query);
  for (auto& t : topics) sub.add_topics(t);
  auto compiled = CompileSubscription(sub);
  EXPECT_TRUE(compiled.ok()) << query << ": " << compiled.status();
  return *compiled;
}

// Groups joined by " & ", the keys of a group by ",".
std::string Keys(const std::string& query, std::vector<std::string> topics = {}) {
  std::vector<std::string> groups;
  for (const auto& group : AnchorGroups(Compile("s", query, topics))) {
    std::vector<std::string> keys;
    for (const AnchorKey& k : group) keys.push_back(k.text + (k.prefix ? "*" : ""));
    groups.push_back(absl::StrJoin(keys, ","));
  }
  return absl::StrJoin(groups, " & ");
}

TEST(AnchorGroups, PickTheRarestRequiredWords) {
  EXPECT_EQ(Keys("Putin"), "putin");
  EXPECT_EQ(Keys(R"("the summit")"), "summit");                     // not the function word
  EXPECT_EQ(Keys(R"("nuclear weap*")"), "nuclear");                 // one key per term
  EXPECT_EQ(Keys(R"(Anchorage "arms race")"), "anchorage & arms");  // two AND children
  EXPECT_EQ(Keys("Putin Lavrov Trump"), "lavrov & putin");          // the two cheapest
  EXPECT_EQ(Keys("(Putin OR Lavrov) Anchorage"), "anchorage & putin,lavrov");
  EXPECT_EQ(Keys("(Putin OR Lavrov) -Syria"), "putin,lavrov");  // OR: every branch
  EXPECT_EQ(Keys("Putin said"), "putin");  // a function word is no second group
  EXPECT_EQ(Keys("cyber*"), "cyber*");
  EXPECT_EQ(Keys("-Syria", {"arms control"}), "control");         // topics anchor exclusions
  EXPECT_EQ(Keys("Putin", {"arms control"}), "control & putin");  // topics are required too
  EXPECT_EQ(Keys("", {"sanctions", "trade"}), "sanctions,trade");
  EXPECT_EQ(Keys("Putin OR Putin"), "putin");
}

Event SummitEvent() {
  Event e;
  e.set_id("ev_1");
  e.set_title("Trump to meet Putin in Anchorage");
  e.set_body("Talks on arms control and cyberattacks.");
  e.add_topics()->set_name("arms control");
  e.set_relevance(0.7);
  return e;
}

std::vector<std::string> Ids(const std::vector<SubscriptionMatch>& matches) {
  std::vector<std::string> ids;
  for (const auto& m : matches) ids.push_back(m.subscription_id);
  std::sort(ids.begin(), ids.end());  // Match promises no order
  return ids;
}

TEST(MatchIndex, UpdatesAreVisibleToTheNextEvent) {
  MatchIndex index;
  Event event = SummitEvent();
  EventDocument document(event);
  index.Upsert(Compile("a", R"("arms control" Putin)"));
  index.Upsert(Compile("b", "Lavrov"));
  index.Upsert(Compile("c", "cyber* -Syria"));
  index.Upsert(Compile("d", "-Syria", {"arms control"}));
  EXPECT_THAT(Ids(index.Match(document)), ElementsAre("a", "c", "d"));

  index.Upsert(Compile("b", "Lavrov OR Trump"));  // replaced, not added
  index.Upsert(Compile("a", "Putin -Anchorage"));
  EXPECT_TRUE(index.Remove("c"));
  EXPECT_FALSE(index.Remove("c"));
  EXPECT_EQ(index.size(), 3u);
  MatchStats stats;
  EXPECT_THAT(Ids(index.Match(document, &stats)), ElementsAre("b", "d"));
  EXPECT_EQ(stats.candidates, 3u);            // a (putin) is a candidate but its rule fails
  index.Upsert(Compile("f", "Putin Syria"));  // putin occurs, syria does not: no candidate
  EXPECT_EQ(index.CountCandidates(document), 3u);
  EXPECT_TRUE(index.Remove("f"));
  index.Upsert(Compile("e", "cyberatt*"));  // reuses c's slot
  EXPECT_THAT(Ids(index.Match(document)), ElementsAre("b", "d", "e"));
  for (const char* id : {"a", "b", "d", "e"}) EXPECT_TRUE(index.Remove(id));
  EXPECT_THAT(index.Match(document), IsEmpty());
  EXPECT_EQ(index.CountCandidates(document), 0u);
}

// Two-group subscriptions are candidates only when both groups are hit, also when one key
// serves both groups or one group is hit through several keys.
TEST(MatchIndex, TwoAnchorGroupsMustBothBeHit) {
  MatchIndex index;
  index.Upsert(Compile("shared", "(Putin OR Lavrov) (Putin OR Trump)"));  // putin in both groups
  index.Upsert(Compile("both", "Anchorage Trump"));
  index.Upsert(Compile("one", "Anchorage Lavrov"));
  index.Upsert(Compile("prefix", "cyber* anchor*"));  // each prefix hits once per word it starts
  index.Upsert(Compile("topic", "Putin", {"arms control"}));
  index.Upsert(Compile("other_topic", "Putin", {"sanctions"}));
  ASSERT_EQ(AnchorGroups(Compile("x", "(Putin OR Lavrov) (Putin OR Trump)")).size(), 2u);
  Event event = SummitEvent();
  event.set_body(event.body() + " Cyberattacks, cyber defence, anchoring.");
  EventDocument document(event);
  MatchStats stats;
  EXPECT_THAT(Ids(index.Match(document, &stats)), ElementsAre("both", "prefix", "shared", "topic"));
  EXPECT_EQ(stats.candidates, 4u);  // "one" and "other_topic" miss a group: never evaluated
}

TEST(MatchIndex, SubscriptionsWhoseWordsAreAbsentAreNeverEvaluated) {
  MatchIndex index;
  for (int i = 0; i < 5000; ++i)
    index.Upsert(Compile(absl::StrCat("x", i), absl::StrCat("zzword", i)));
  index.Upsert(Compile("hit", "Putin"));
  Event event = SummitEvent();
  EventDocument document(event);
  MatchStats stats;
  EXPECT_THAT(Ids(index.Match(document, &stats)), ElementsAre("hit"));
  EXPECT_EQ(stats.candidates, 1u);
}

// ---- Differential test --------------------------------------------------------------------

// The straightforward evaluator: each term is a substring search for " w1 w2 " in each
// field's normalised words joined by spaces; the tree is evaluated directly.
class NaiveEvaluator {
 public:
  explicit NaiveEvaluator(const Event& e) : event_(e) {
    Add(Field::kTitle, e.title());
    Add(Field::kBody, e.body().empty() ? e.summary() : e.body());
    for (const auto& p : e.participants()) {
      Add(Field::kParticipant, p.name());
      for (const auto& a : p.aliases()) Add(Field::kParticipant, a);
    }
    for (const auto& p : e.places()) {
      Add(Field::kPlace, p.name());
      for (const auto& a : p.aliases()) Add(Field::kPlace, a);
    }
    for (const auto& t : e.topics()) {
      Add(Field::kTopic, t.name());
      topics_.insert(text::NormalizePhrase(t.name()));
    }
    for (const auto& k : e.keywords()) Add(Field::kKeyword, k);
    Add(Field::kType, e.type());
    Add(Field::kSource, e.source());
    Add(Field::kLang, e.language());
  }

  bool Matches(const CompiledSubscription& sub) const {
    if (event_.relevance() < sub.min_relevance) return false;
    if (!sub.topics.empty()) {
      bool any = false;
      for (const auto& t : sub.topics) any |= topics_.count(t) > 0;
      if (!any) return false;
    }
    return sub.rule.empty() || Node(sub.rule, sub.rule.root());
  }

 private:
  void Add(Field f, const std::string& text) {
    std::string joined = " " + text::NormalizePhrase(text) + " ";
    fields_.push_back({f, joined});
  }
  bool Term(const RuleTerm& term) const {
    std::string needle = " " + term.words + (term.prefix ? "" : " ");
    for (const auto& [field, joined] : fields_) {
      if ((term.fields & MaskOf(field)) && joined.find(needle) != std::string::npos) return true;
    }
    return false;
  }
  bool Node(const Rule& rule, const RuleNode& node) const {
    auto child = [&](int i) -> const RuleNode& {
      return rule.nodes[rule.child_ids[node.first + i]];
    };
    switch (node.kind) {
      case RuleNode::Kind::kTerm:
        return Term(rule.terms[node.first]);
      case RuleNode::Kind::kNot:
        return !Node(rule, child(0));
      case RuleNode::Kind::kAnd:
        for (int i = 0; i < node.count; ++i)
          if (!Node(rule, child(i))) return false;
        return true;
      case RuleNode::Kind::kOr:
        for (int i = 0; i < node.count; ++i)
          if (Node(rule, child(i))) return true;
        return false;
    }
    return false;
  }

  const Event& event_;
  std::vector<std::pair<Field, std::string>> fields_;
  std::set<std::string> topics_;
};

std::vector<Event> CorpusEvents() {
  auto gazetteer = extract::Gazetteer::LoadFromDirectory(SA_SOURCE_DIR "/data/gazetteer");
  EXPECT_TRUE(gazetteer.ok()) << gazetteer.status();
  extract::EventExtractor extractor(std::make_shared<extract::Gazetteer>(std::move(*gazetteer)));
  std::ifstream in(SA_SOURCE_DIR "/data/sample/anchorage-summit.txt");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string story = buffer.str();
  EXPECT_GT(story.size(), 1000u);
  std::vector<absl::string_view> sentences = text::SplitSentences(story);
  std::vector<Event> events;
  // The story, and stories made of its sentences in other groupings, so that words, phrases
  // and extracted fields occur in some events and not others.
  for (size_t start = 0; start < sentences.size(); start += 3) {
    summit_alerts::v1::Article article;
    article.set_title(std::string(sentences[start]));
    std::string body;
    for (size_t i = start + 1; i < sentences.size() && i < start + 6; ++i)
      absl::StrAppend(&body, sentences[i], " ");
    article.set_body(body.empty() ? "Nothing else." : body);
    article.set_source(start % 2 ? "Reuters" : "Associated Press");
    article.set_language(start % 3 ? "en" : "ru");
    events.push_back(extractor.Extract(article, absl::UnixEpoch()));
  }
  summit_alerts::v1::Article whole;
  whole.set_title("Trump and Putin meet in Anchorage");
  whole.set_body(story);
  events.push_back(extractor.Extract(whole, absl::UnixEpoch()));
  return events;
}

class RuleGenerator {
 public:
  RuleGenerator(const std::vector<Event>& events, uint32_t seed) : rng_(seed) {
    std::set<std::string> words;
    for (const Event& e : events) {
      for (const auto& t : text::Tokenize(e.title() + " " + e.body())) {
        if (!t.norm.empty()) words.insert(t.norm);
      }
      for (const auto& t : e.topics()) topics_.push_back(t.name());
    }
    words_.assign(words.begin(), words.end());
    words_.push_back("lavrov");
    words_.push_back("zzunseen");
    topics_.push_back("trade");
  }

  Subscription Next(int id) {
    Subscription sub;
    sub.set_id(absl::StrCat("sub_", id));
    sub.set_query(Expr(0));
    if (rng_() % 6 == 0) sub.add_topics(topics_[rng_() % topics_.size()]);
    if (rng_() % 5 == 0) sub.set_min_relevance((rng_() % 10) / 10.0);
    return sub;
  }

 private:
  std::string Word() { return words_[rng_() % words_.size()]; }
  std::string Atom() {
    static const char* kScopes[] = {
        "title:", "body:", "participant:", "place:", "topic:", "type:", "source:", "lang:"};
    std::string scope = rng_() % 4 == 0 ? kScopes[rng_() % 8] : "";
    switch (rng_() % 6) {
      case 0: {  // a phrase of words that follow each other somewhere
        std::string w = Word();
        return scope + "\"" + w + " " + Word() + "\"";
      }
      case 1: {
        std::string w = Word();
        if (w.size() >= 4) return scope + w.substr(0, 3 + rng_() % (w.size() - 3)) + "*";
        return scope + w;
      }
      default:
        return scope + Word();
    }
  }
  std::string Expr(int depth) {
    int n = 1 + static_cast<int>(rng_() % 3);
    std::vector<std::string> parts;
    for (int i = 0; i < n; ++i) {
      std::string part = depth < 2 && rng_() % 4 == 0 ? "(" + Expr(depth + 1) + ")" : Atom();
      if (rng_() % 5 == 0) part = "-" + part;
      parts.push_back(part);
    }
    return absl::StrJoin(parts, rng_() % 3 == 0 ? " OR " : " ");
  }

  std::mt19937 rng_;
  std::vector<std::string> words_;
  std::vector<std::string> topics_;
};

TEST(MatchIndexDifferential, AgreesWithDirectEvaluationOfEveryRule) {
  std::vector<Event> events = CorpusEvents();
  ASSERT_GE(events.size(), 5u);
  // Phrase atoms are random word pairs; seed some real adjacent pairs too.
  RuleGenerator generator(events, 20261125);
  MatchIndex index;
  std::vector<CompiledSubscription> subs;
  std::vector<std::string> extra = {R"("arms control" Putin)", R"("Joint Base" -Syria)",
                                    R"(participant:"President Putin")", "place:Alaska cyber*",
                                    R"(topic:"arms control" OR type:summit)"};
  int rejected = 0;
  for (int i = 0; subs.size() < 4000; ++i) {
    Subscription sub = generator.Next(i);
    if (i < static_cast<int>(extra.size())) sub.set_query(extra[i]);
    auto compiled = CompileSubscription(sub);
    if (!compiled.ok()) {
      ++rejected;
      continue;
    }
    subs.push_back(*compiled);
    index.Upsert(*compiled);
  }
  // Churn: remove and re-add a third of them, as live updates would.
  for (size_t i = 0; i < subs.size(); i += 3) ASSERT_TRUE(index.Remove(subs[i].id));
  for (size_t i = 0; i < subs.size(); i += 3) index.Upsert(subs[i]);

  size_t total_matches = 0, differences = 0;
  for (const Event& event : events) {
    EventDocument document(event);
    std::set<std::string> engine;
    for (const auto& m : index.Match(document)) {
      engine.insert(m.subscription_id);
      EXPECT_TRUE(!m.matches.empty()) << m.subscription_id << " matched without explanation";
    }
    NaiveEvaluator naive(event);
    std::set<std::string> direct;
    for (const auto& sub : subs) {
      if (naive.Matches(sub)) direct.insert(sub.id);
    }
    for (const auto& sub : subs) {
      if (engine.count(sub.id) != direct.count(sub.id)) {
        ++differences;
        ADD_FAILURE() << "event '" << event.title() << "', rule [" << sub.rule.source << "] "
                      << RuleToString(sub.rule) << ": engine " << engine.count(sub.id)
                      << ", direct " << direct.count(sub.id);
        if (differences > 10) return;
      }
    }
    total_matches += direct.size();
  }
  // The generated rules must exercise both outcomes, or the comparison proves little.
  EXPECT_GT(total_matches, events.size() * 20);
  EXPECT_LT(total_matches, events.size() * subs.size() / 2);
  RecordProperty("rules", static_cast<int>(subs.size()));
  RecordProperty("rejected_rules", rejected);
  RecordProperty("matches", static_cast<int>(total_matches));
}

}  // namespace
}  // namespace sa::notifier
