#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "notifier/match/matcher.h"
#include "notifier/rules/query.h"
#include "tests/support/status_matchers.h"

namespace sa::notifier {
namespace {

using ::sa::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using summit_alerts::v1::Event;

TEST(QueryParser, ParsesTermsPhrasesAndExclusions) {
  auto q = ParseQuery(R"("arms control" Putin -Syria -"North Korea")");
  ASSERT_TRUE(q.ok()) << q.status();
  ASSERT_EQ(q->terms.size(), 4u);
  EXPECT_EQ(q->terms[0].text, "arms control");
  EXPECT_THAT(q->terms[0].words, ElementsAre("arms", "control"));
  EXPECT_FALSE(q->terms[0].negated);
  EXPECT_EQ(q->terms[1].position, 16u);
  EXPECT_TRUE(q->terms[2].negated);
  EXPECT_THAT(q->terms[3].words, ElementsAre("north", "korea"));
}

TEST(QueryParser, ErrorsPointAtThePosition) {
  EXPECT_THAT(ParseQuery(R"(Putin "arms control)"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("position 7: unterminated quote")));
  EXPECT_THAT(ParseQuery("Putin - Syria"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("position 7")));
  EXPECT_THAT(ParseQuery(R"(Putin "")"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty phrase")));
  EXPECT_THAT(ParseQuery("Putin OR Lavrov"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("position 7: 'OR'")));
  EXPECT_THAT(ParseQuery("   "), StatusIs(absl::StatusCode::kInvalidArgument, "query is empty"));
  EXPECT_THAT(ParseQuery("-Syria -Iran"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("only exclusions")));
  EXPECT_THAT(ParseQuery("Putin ???"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no letters or digits")));
  EXPECT_THAT(ParseQuery(std::string(2000, 'a')), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit")));
}

Event SummitEvent() {
  Event e;
  e.set_title("Trump to meet Putin in Anchorage");
  e.set_body("The leaders will discuss arms control and sanctions. Syria is not on the agenda.");
  auto* p = e.add_participants();
  p->set_name("Vladimir Putin");
  e.add_places()->set_name("Anchorage");
  e.add_topics()->set_name("arms control");
  e.set_type("summit/meeting");
  return e;
}

std::vector<std::pair<std::string, std::string>> TermFields(const std::vector<summit_alerts::v1::Match>& ms) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& m : ms) out.push_back({m.term(), m.field()});
  return out;
}

TEST(Matcher, ExplainsWhichTermMatchedInWhichField) {
  EventText text(SummitEvent());
  auto matches = MatchQuery(*ParseQuery(R"("arms control" putin)"), text);
  EXPECT_THAT(TermFields(matches),
              ElementsAre(std::pair<std::string, std::string>{"arms control", "body"},
                          std::pair<std::string, std::string>{"arms control", "topic"},
                          std::pair<std::string, std::string>{"putin", "title"},
                          std::pair<std::string, std::string>{"putin", "participant"}));
  EXPECT_EQ(matches[2].text(), "Putin");
}

TEST(Matcher, AllPositiveTermsMustOccur) {
  EventText text(SummitEvent());
  EXPECT_THAT(MatchQuery(*ParseQuery("Putin Lavrov"), text), IsEmpty());
}

TEST(Matcher, ExclusionVetoes) {
  EventText text(SummitEvent());
  EXPECT_THAT(MatchQuery(*ParseQuery("Putin -Syria"), text), IsEmpty());
  EXPECT_THAT(MatchQuery(*ParseQuery("Putin -Iran"), text), ::testing::SizeIs(2));
}

TEST(Matcher, WholeWordsAndPhraseOrderOnly) {
  EventText text(SummitEvent());
  EXPECT_THAT(MatchQuery(*ParseQuery("Put"), text), IsEmpty());
  EXPECT_THAT(MatchQuery(*ParseQuery(R"("control arms")"), text), IsEmpty());
  EXPECT_THAT(MatchQuery(*ParseQuery("type"), text), IsEmpty());
}

TEST(Matcher, CaseAndAccentInsensitive) {
  EventText text(SummitEvent());
  EXPECT_THAT(MatchQuery(*ParseQuery("PÚTIN ANCHORAGE"), text), ::testing::Not(IsEmpty()));
}

}  // namespace
}  // namespace sa::notifier
