// The rule language: parsing, error positions, evaluation semantics and explanations.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "notifier/match/event_document.h"
#include "notifier/match/subscription_rule.h"
#include "notifier/rules/rule_parser.h"
#include "tests/support/status_matchers.h"

namespace sa::notifier {
namespace {

using ::sa::testing::StatusIs;
using summit_alerts::v1::Event;
using summit_alerts::v1::Subscription;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

std::string Tree(absl::string_view query) {
  auto rule = ParseRule(query);
  if (!rule.ok()) return "ERROR " + std::string(rule.status().message());
  return RuleToString(*rule);
}

TEST(RuleParser, PrecedenceIsNotThenAndThenOr) {
  EXPECT_EQ(Tree(R"("arms control" Putin)"), R"((and "arms control" putin))");
  EXPECT_EQ(Tree("a b OR c d"), "(or (and a b) (and c d))");
  EXPECT_EQ(Tree("a AND b | c"), "(or (and a b) c)");
  EXPECT_EQ(Tree("a (b OR c) -d"), "(and a (or b c) (not d))");
  EXPECT_EQ(Tree("NOT a b"), "(and (not a) b)");
  EXPECT_EQ(Tree(R"(Putin -"North Korea")"), R"((and putin (not "north korea")))");
  EXPECT_EQ(Tree("((a))"), "a");
  EXPECT_EQ(Tree("   "), "");
}

TEST(RuleParser, FieldScopesWildcardsAndNormalisation) {
  EXPECT_EQ(Tree("title:Putin"), "title:putin");
  EXPECT_EQ(Tree("participant:(Putin OR Lavrov)"), "(or participant:putin participant:lavrov)");
  EXPECT_EQ(Tree(R"(PLACE:"Joint Base")"), R"(place:"joint base")");
  EXPECT_EQ(Tree("-topic:sanctions lang:en Putin"), "(and (not topic:sanctions) lang:en putin)");
  EXPECT_EQ(Tree("cyber*"), "cyber*");
  EXPECT_EQ(Tree(R"("nuclear weap*")"), R"("nuclear weap*")");
  EXPECT_EQ(Tree("Elmendorf-Richardson"), R"("elmendorf richardson")");
  EXPECT_EQ(Tree("ПУТИН Pútin"), "(and путин putin)");
  EXPECT_EQ(Tree("a|b"), "(or a b)");
  // Lower-case operators are words, as in Google's and Lucene's syntax.
  EXPECT_EQ(Tree("war or peace"), "(and war or peace)");
}

TEST(RuleParser, ErrorsPointAtThePosition) {
  auto error = [](absl::string_view q) { return std::string(ParseRule(q).status().message()); };
  EXPECT_EQ(error(R"(Putin "arms control)"), "query error at position 7: unterminated quote");
  EXPECT_EQ(error("Putin - Syria"),
            "query error at position 7: '-' must be followed by a term, \"phrase\" or '('");
  EXPECT_EQ(error("Putin OR"), "query error at position 7: 'OR' needs a term after it");
  EXPECT_EQ(error("OR Putin"), "query error at position 1: 'OR' needs a term before it");
  EXPECT_EQ(error("(Putin OR Lavrov"), "query error at position 1: '(' is never closed");
  EXPECT_EQ(error("Putin)"), "query error at position 6: ')' without a matching '('");
  EXPECT_EQ(error("a ()"), "query error at position 3: empty parentheses");
  EXPECT_THAT(error("author:Smith"),
              HasSubstr("position 1: unknown field 'author:'; fields are title, body,"));
  EXPECT_EQ(
      error("cy*"),
      "query error at position 1: prefix 'cy*' is too short; use at least 3 letters before '*'");
  EXPECT_EQ(error("cy*ber"),
            "query error at position 3: '*' is only allowed at the end of a word (prefix search)");
  EXPECT_EQ(error("Putin !!!"),
            "query error at position 7: '!!!' has no letters or digits, so it can match nothing");
  EXPECT_EQ(error(R"(Putin "")"), "query error at position 7: empty phrase");
  EXPECT_EQ(error("title:-Putin"),
            "query error at position 7: write the exclusion before the field, e.g. -title:word");
  EXPECT_EQ(error("title:(body:x)"),
            "query error at position 8: a field scope cannot be nested in another");
  EXPECT_EQ(error("title: Putin"),
            "query error at position 6: 'title:' must be followed by a term, \"phrase\" or '('");
  EXPECT_EQ(error("a AND"), "query error at position 3: 'AND' needs a term on both sides");
  EXPECT_EQ(error("Putin -Putin"),
            "query error at position 8: 'Putin' is both required and excluded, so the rule can "
            "match nothing");
  EXPECT_EQ(error("cyberattack -cyber*"),
            "query error at position 14: 'cyber*' is both required and excluded, so the rule can "
            "match nothing");
  // Positions count characters, not bytes.
  EXPECT_EQ(error("Путин )"), "query error at position 7: ')' without a matching '('");
  EXPECT_THAT(ParseRule(std::string(2000, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit")));
  EXPECT_THAT(ParseRule(std::string(40, '(') + "a" + std::string(40, ')')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nested deeper than")));
  std::string many;
  for (int i = 0; i < 40; ++i) many += "w" + std::to_string(i) + " ";
  EXPECT_THAT(ParseRule(many),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("more than 32 terms")));
  EXPECT_THAT(ParseRule("\xff"),
              StatusIs(absl::StatusCode::kInvalidArgument, "query is not valid UTF-8 at byte 0"));
  EXPECT_THAT(ParseRule("Putin \xe2\x82"),
              StatusIs(absl::StatusCode::kInvalidArgument, "query is not valid UTF-8 at byte 6"));
  EXPECT_THAT(ParseRule(std::string("Putin\0", 6)),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "query has a control character (0x00) at byte 5"));
  EXPECT_THAT(ParseRule("a \x1b[31m"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                "query has a control character (0x1b) at byte 2"));
  EXPECT_TRUE(ParseRule("Putin\tOR\nLavrov\r\n").ok()) << "whitespace is whitespace";
}

TEST(RuleParser, FindsTheFirstByteThatIsNotWellFormedUtf8) {
  constexpr size_t npos = absl::string_view::npos;
  EXPECT_EQ(FindInvalidUtf8(""), npos);
  EXPECT_EQ(FindInvalidUtf8("Путин, Zoë, 日本, \xf0\x9f\x98\x80"), npos);
  EXPECT_EQ(FindInvalidUtf8("ab\x80"), 2u);              // a lone continuation byte
  EXPECT_EQ(FindInvalidUtf8("ab\xc0\xaf"), 2u);          // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("ab\xe0\x80\xaf"), 2u);      // overlong, three bytes
  EXPECT_EQ(FindInvalidUtf8("ab\xed\xa0\x80"), 2u);      // a surrogate
  EXPECT_EQ(FindInvalidUtf8("ab\xf4\x90\x80\x80"), 2u);  // above U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("ab\xf5\x80\x80\x80"), 2u);
  EXPECT_EQ(FindInvalidUtf8("abc\xe6\x97"), 3u);  // cut short
  EXPECT_EQ(FindInvalidUtf8("\xc3\xa9\xc3("), 2u);
  EXPECT_EQ(FindControlCharacter("a\tb", true), npos);
  EXPECT_EQ(FindControlCharacter("a\tb", false), 1u);
  EXPECT_EQ(FindControlCharacter("ab\x7f", true), 2u);
}

TEST(RuleParser, RulesThatOnlyExcludeAreRecognised) {
  EXPECT_TRUE(RequiresPositiveTerm(*ParseRule("a -b")));
  EXPECT_TRUE(RequiresPositiveTerm(*ParseRule("(a OR b) NOT c")));
  EXPECT_FALSE(RequiresPositiveTerm(*ParseRule("-a")));
  EXPECT_FALSE(RequiresPositiveTerm(*ParseRule("NOT (a OR b)")));
  EXPECT_FALSE(RequiresPositiveTerm(*ParseRule("a OR -b")));
  EXPECT_TRUE(RequiresPositiveTerm(*ParseRule("NOT NOT a")) == false);  // conservative: NOT hides a
}

TEST(SubscriptionValidation, RejectsUnmatchableSubscriptionsWithAReason) {
  Subscription sub;
  sub.set_query("-Syria");
  EXPECT_THAT(CompileSubscription(sub),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("only excludes")));
  sub.set_query("Putin OR -Syria");
  EXPECT_THAT(CompileSubscription(sub),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("only excludes")));
  sub.set_query("");
  EXPECT_THAT(CompileSubscription(sub),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("needs a query, topics")));
  sub.add_topics("sanctions");
  EXPECT_TRUE(CompileSubscription(sub).ok());
  sub.set_query("-Syria");  // topics anchor it
  EXPECT_TRUE(CompileSubscription(sub).ok());
  sub.add_topics("!!");
  EXPECT_THAT(CompileSubscription(sub),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("topic '!!'")));
}

Event SummitEvent() {
  Event e;
  e.set_title("Trump to meet Putin in Anchorage");
  e.set_body(
      "The leaders will discuss arms control, cyberattacks and sanctions. Syria is not on "
      "the agenda at Joint Base Elmendorf–Richardson.");
  auto* p = e.add_participants();
  p->set_name("Vladimir Putin");
  p->add_aliases("President Putin");
  p->add_aliases("Путин");
  auto* place = e.add_places();
  place->set_name("Joint Base Elmendorf–Richardson");
  place->add_aliases("JBER");
  e.add_topics()->set_name("arms control");
  e.add_topics()->set_name("Cybersecurity");
  e.set_type("summit/meeting");
  e.set_source("Reuters");
  e.set_language("en-US");
  e.set_relevance(0.8);
  return e;
}

bool Matches(absl::string_view query, const Event& event = SummitEvent()) {
  auto rule = ParseRule(query);
  EXPECT_TRUE(rule.ok()) << query << ": " << rule.status();
  EventDocument document(event);
  return RuleMatches(*rule, document);
}

TEST(RuleEvaluation, BooleanOperators) {
  EXPECT_TRUE(Matches(R"("arms control" Putin)"));
  EXPECT_FALSE(Matches("Putin Lavrov"));
  EXPECT_TRUE(Matches("Lavrov OR Putin"));
  EXPECT_TRUE(Matches("Lavrov | Putin"));
  EXPECT_FALSE(Matches("Putin -Syria"));
  EXPECT_FALSE(Matches("Putin NOT Syria"));
  EXPECT_TRUE(Matches("Putin -Iran"));
  EXPECT_TRUE(Matches("Putin -(Syria Iran)"));
  EXPECT_FALSE(Matches("Putin -(Syria OR Iran)"));
  EXPECT_TRUE(Matches("(Lavrov OR Trump) (sanctions OR tariffs)"));
}

TEST(RuleEvaluation, WholeWordsPhrasesAndPrefixes) {
  EXPECT_FALSE(Matches("Put"));
  EXPECT_FALSE(Matches(R"("control arms")"));
  EXPECT_TRUE(Matches("cyber*"));
  EXPECT_TRUE(Matches("cyberattack*"));  // a prefix includes the word itself
  EXPECT_FALSE(Matches("cyberwar*"));
  EXPECT_TRUE(Matches(R"("arms contr*")"));
  EXPECT_TRUE(Matches("PÚTIN ANCHORAGE"));
  EXPECT_TRUE(Matches("Elmendorf-Richardson"));
  EXPECT_TRUE(Matches(R"("Elmendorf Richardson")"));
}

TEST(RuleEvaluation, FieldScopesAndAliases) {
  EXPECT_TRUE(Matches("title:Putin"));
  EXPECT_FALSE(Matches("title:sanctions"));
  EXPECT_TRUE(Matches("body:sanctions"));
  EXPECT_TRUE(Matches("participant:putin"));
  EXPECT_TRUE(Matches(R"(participant:"President Putin")"));  // an alias, not in the text
  EXPECT_TRUE(Matches("Путин"));                             // unscoped terms see aliases too
  EXPECT_FALSE(Matches("participant:Trump"));                // in the text, not extracted
  EXPECT_TRUE(Matches("place:JBER"));
  EXPECT_TRUE(Matches("topic:cybersecurity"));
  EXPECT_TRUE(Matches(R"(topic:"arms control")"));
  EXPECT_TRUE(Matches("type:summit"));
  EXPECT_FALSE(Matches("summit"));  // metadata fields only match when named
  EXPECT_TRUE(Matches("source:reuters"));
  EXPECT_TRUE(Matches("lang:en"));
  EXPECT_FALSE(Matches("lang:ru"));
  EXPECT_TRUE(Matches("title:(Putin OR Lavrov) -title:Syria"));
}

TEST(RuleEvaluation, ExplainsWhichTermMatchedInWhichField) {
  Subscription sub;
  sub.set_query(R"("arms control" (putin OR lavrov) -Iran cyber*)");
  auto compiled = CompileSubscription(sub);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  Event event = SummitEvent();
  EventDocument document(event);
  MatchOutcome outcome = EvaluateSubscription(*compiled, document);
  ASSERT_TRUE(outcome.matched);
  std::vector<std::pair<std::string, std::string>> seen;
  for (const auto& m : outcome.matches) seen.push_back({m.term(), m.field() + "=" + m.text()});
  EXPECT_THAT(
      seen,
      ElementsAre(Pair("arms control", "body=arms control"),
                  Pair("arms control", "topic=arms control"), Pair("putin", "title=Putin"),
                  Pair("putin", "participant=Vladimir Putin"), Pair("cyber*", "body=cyberattacks"),
                  Pair("cyber*", "topic=Cybersecurity")));
}

TEST(RuleEvaluation, AnAliasMatchIsExplainedWithTheCanonicalName) {
  Subscription sub;
  sub.set_query("Путин");
  Event event = SummitEvent();
  EventDocument document(event);
  MatchOutcome outcome = EvaluateSubscription(*CompileSubscription(sub), document);
  ASSERT_TRUE(outcome.matched);
  ASSERT_EQ(outcome.matches.size(), 1u);
  EXPECT_EQ(outcome.matches[0].field(), "participant");
  EXPECT_EQ(outcome.matches[0].text(), "Vladimir Putin");
}

TEST(RuleEvaluation, TopicsAndRelevanceFilterWithAReason) {
  Subscription sub;
  sub.set_query("Putin");
  sub.add_topics("Arms Control");
  sub.set_min_relevance(0.5);
  Event event = SummitEvent();
  EventDocument document(event);
  auto compiled = *CompileSubscription(sub);
  MatchOutcome outcome = EvaluateSubscription(compiled, document);
  EXPECT_TRUE(outcome.matched);
  EXPECT_EQ(outcome.matches.back().field(), "topic");
  compiled.min_relevance = 0.9f;
  outcome = EvaluateSubscription(compiled, document);
  EXPECT_FALSE(outcome.matched);
  EXPECT_THAT(outcome.reason, HasSubstr("below min_relevance"));
  compiled.min_relevance = 0;
  compiled.topics = {"trade"};
  outcome = EvaluateSubscription(compiled, document);
  EXPECT_FALSE(outcome.matched);
  EXPECT_EQ(outcome.reason, "the event has none of the topics trade");
  compiled.topics.clear();
  compiled.rule = *ParseRule("Putin Syria -sanctions");
  outcome = EvaluateSubscription(compiled, document, /*explain_misses=*/true);
  EXPECT_FALSE(outcome.matched);
  EXPECT_EQ(outcome.reason, "the query does not match");
  EXPECT_EQ(outcome.matches.size(), 3u);  // the positive terms that did occur, for debugging
}

}  // namespace
}  // namespace sa::notifier
