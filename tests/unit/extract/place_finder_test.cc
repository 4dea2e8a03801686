// Places from the packaged gazetteers (iso-codes, GeoNames) and data/gazetteer/: ambiguity,
// capitalisation, longest match, demonyms, inflected forms (extract/place_finder.h).
#include "extract/place_finder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "extract/event_extractor.h"

namespace sa::extract {
namespace {

using summit_alerts::v1::Article;
using summit_alerts::v1::Event;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

// The shipped gazetteer with the world places, loaded once for the whole test program.
const Gazetteer& World() {
  static const Gazetteer* g = [] {
    auto loaded = Gazetteer::LoadFromDirectory(SA_SOURCE_DIR "/data/gazetteer");
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return new Gazetteer(std::move(*loaded));
  }();
  return *g;
}

Event Extract(const std::string& title, const std::string& body, const std::string& lang = "") {
  static const auto* extractor =
      new EventExtractor(std::shared_ptr<const Gazetteer>(&World(), [](const Gazetteer*) {}));
  Article a;
  a.set_title(title);
  a.set_body(body);
  a.set_language(lang);
  return extractor->Extract(a, absl::UnixEpoch());
}

std::vector<std::string> Places(const Event& e) {
  std::vector<std::string> out;
  for (const auto& p : e.places()) out.push_back(p.name());
  return out;
}

const summit_alerts::v1::Place* Find(const Event& e, const std::string& name) {
  for (const auto& p : e.places()) {
    if (p.name() == name) return &p;
  }
  return nullptr;
}

TEST(PlaceFinderTest, CountriesFromIsoCodesWithTheirEnglishShortNames) {
  Event e = Extract("Talks",
                    "Officials from the Russian Federation met delegates of Viet Nam "
                    "and the Islamic Republic of Iran in Türkiye.");
  EXPECT_THAT(Places(e), ElementsAre("Russia", "Vietnam", "Iran", "Turkey"));
  const auto* ru = Find(e, "Russia");
  ASSERT_NE(ru, nullptr);
  EXPECT_EQ(ru->country(), "RU");
  EXPECT_EQ(ru->kind(), "country");
  EXPECT_GE(ru->confidence(), kMinPlaceConfidence);
  EXPECT_EQ(ru->evidence().text(), "Russian Federation");
}

TEST(PlaceFinderTest, CyrillicInflected) {
  Event e = Extract("Саммит: Анкоридж, Аляска", "Владимир Путин и Дональд Трамп встретятся.");
  EXPECT_THAT(Places(e), ElementsAre("Anchorage", "Alaska"));
}

}  // namespace
}  // namespace sa::extract
