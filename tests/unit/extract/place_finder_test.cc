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

TEST(PlaceFinderTest, CapitalisationAsWrittenDecides) {
  // "us", "nice", "reading", "mobile", "turkey" in lower case are words, not places.
  Event e = Extract("Dinner", "Tell us about the nice turkey dinner; reading on a mobile phone.");
  EXPECT_THAT(Places(e), IsEmpty());
  // Written as a name, the short forms are places.
  e = Extract("Talks", "Officials of the US and the UK met in Nice on Monday, near France.");
  EXPECT_THAT(Places(e), ElementsAre("United States", "United Kingdom", "Nice", "France"));
}

TEST(PlaceFinderTest, LongestNameWins) {
  Event e = Extract("Patrols", "Warships sailed through the South China Sea again this week.");
  EXPECT_THAT(Places(e), ElementsAre("South China Sea"));
}

TEST(PlaceFinderTest, PopulationAndCoMentionedCountriesChooseTheReading) {
  Event e = Extract("Visit", "The minister flew to Paris for talks with European partners.");
  const auto* paris = Find(e, "Paris");
  ASSERT_NE(paris, nullptr);
  EXPECT_EQ(paris->country(), "FR");  // not Paris, Texas
  e = Extract("Storm",
              "The storm hit Georgia and the rest of the United States overnight, and "
              "the governor in Atlanta declared an emergency.");
  bool state = false;
  for (const auto& p : e.places()) state = state || (p.name() == "Georgia" && p.country() == "US");
  EXPECT_TRUE(state) << "Georgia with the United States is the US state";
  e = Extract("Talks", "Talks between Georgia and Russia resumed in Geneva.");
  const auto* georgia = Find(e, "Georgia");
  ASSERT_NE(georgia, nullptr);
  EXPECT_EQ(georgia->country(), "GE");
}

TEST(PlaceFinderTest, NamesInsideOtherNamesAreNoPlaces) {
  Event e = Extract("Column",
                    "The Washington Post reported that Michael Jordan and Jordan "
                    "Peterson were seen together.");
  EXPECT_EQ(Find(e, "Washington"), nullptr);
  EXPECT_EQ(Find(e, "Jordan"), nullptr);
  e = Extract("Talks", "Officials in Washington said talks with Jordan would resume.");
  EXPECT_NE(Find(e, "Washington"), nullptr);
  EXPECT_NE(Find(e, "Jordan"), nullptr);
  // The state is named as a state.
  e = Extract("Fires", "Wildfires spread across Washington State this week.");
  EXPECT_THAT(Places(e), ElementsAre("Washington State"));
}

TEST(PlaceFinderTest, DemonymsSignalCountriesButAreNoPlaces) {
  Event e = Extract("Talks", "The Russian and Finnish delegations met American officials.");
  EXPECT_THAT(Places(e), IsEmpty());
  EXPECT_THAT(e.signalled_countries(), ElementsAre("RU", "FI", "US"));
  EXPECT_EQ(World().CountryOfDemonym("Finnish"), "FI");
  EXPECT_EQ(World().CountryOfDemonym("финский"), "FI");
  EXPECT_EQ(World().CountryOfDemonym("американского", "ru"), "US");
  EXPECT_EQ(World().CountryOfDemonym("deutsche"), "DE");
  EXPECT_EQ(World().CountryOfDemonym("table"), "");
}

TEST(PlaceFinderTest, InflectedFormsAreFoundThroughStems) {
  // Russian: locative and genitive.
  Event e =
      Extract("Переговоры", "Встреча пройдет в Москве, затем делегация вылетит в Анкоридж.", "ru");
  EXPECT_THAT(Places(e), ElementsAre("Moscow", "Anchorage"));
  // Slovak (no Snowball stemmer: the light stripper).
  e = Extract("Rokovania", "Delegácia pricestovala do Moskvy a potom do Ženevy.", "sk");
  EXPECT_THAT(Places(e), ElementsAre("Moscow", "Geneva"));
  // German genitive.
  e = Extract("Gespräche", "Die Politik Russlands und die Haltung Chinas stehen im Mittelpunkt.",
              "de");
  EXPECT_THAT(Places(e), ElementsAre("Russia", "China"));
  // Italian.
  e = Extract("Colloqui", "Il ministro è arrivato a Mosca per i colloqui.", "it");
  EXPECT_THAT(Places(e), ElementsAre("Moscow"));
  // People too: "Путина" is Putin.
  e = Extract("Заявление", "Пресс-секретарь Путина заявил журналистам.", "ru");
  ASSERT_GE(e.participants_size(), 1);
  EXPECT_EQ(e.participants(0).name(), "Vladimir Putin");
}

TEST(PlaceFinderTest, MissingIsoCodesIsAClearErrorNamingTheFile) {
  Gazetteer::Options options;
  options.world.iso_codes_dir = "/nonexistent/iso-codes";
  auto g = Gazetteer::LoadFromDirectory(SA_SOURCE_DIR "/data/gazetteer", options);
  EXPECT_EQ(g.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(g.status().message()),
              ::testing::HasSubstr("/nonexistent/iso-codes/iso_3166-1.json"));
}

}  // namespace
}  // namespace sa::extract
