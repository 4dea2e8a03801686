// `lang:` rules on detected languages (issue 18 §4): an article whose source declares no language
// gets the detected one in Event.language, which the notifier's matcher reads, so a `lang:ru`
// subscriber gets Russian news from feeds that do not say their language.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "extract/event_extractor.h"
#include "notifier/match/event_document.h"
#include "notifier/match/match_index.h"

namespace sa::notifier {
namespace {

using summit_alerts::v1::Subscription;

TEST(LangRuleTest, MatchesTheDetectedLanguage) {
  auto g = extract::Gazetteer::LoadFromDirectory(
      SA_SOURCE_DIR "/data/gazetteer", extract::Gazetteer::Options{.world_places = false});
  ASSERT_TRUE(g.ok()) << g.status();
  extract::EventExtractor extractor(std::make_shared<extract::Gazetteer>(std::move(*g)));
  summit_alerts::v1::Article article;  // no language declared
  article.set_title("Путин и Трамп встретятся в Анкоридже");
  article.set_body(
      "Президент России Владимир Путин и президент США Дональд Трамп проведут "
      "переговоры на Аляске, сообщили в Кремле.");
  summit_alerts::v1::Event event = extractor.Extract(article, absl::UnixEpoch());
  ASSERT_EQ(event.language(), "ru");
  ASSERT_EQ(event.language_source(), "detected");

  MatchIndex index;
  for (const auto& [id, query] :
       {std::pair<std::string, std::string>{"ru", "lang:ru Путин"}, {"en", "lang:en Путин"}}) {
    Subscription sub;
    sub.set_id(id);
    sub.set_query(query);
    auto compiled = CompileSubscription(sub);
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    index.Upsert(std::move(*compiled));
  }
  std::vector<std::string> ids;
  for (const auto& m : index.Match(EventDocument(event))) ids.push_back(m.subscription_id);
  EXPECT_THAT(ids, ::testing::ElementsAre("ru"));
}

}  // namespace
}  // namespace sa::notifier
