// data/gazetteer/people.tsv: it loads, every row says as of when, and it covers the offices its
// header claims (G20 and UN Security Council members, the international organisations).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "extract/gazetteer.h"
#include "extract/people_finder.h"
#include "tests/support/bundled_gazetteer.h"
#include "tests/support/status_matchers.h"

namespace sa::extract {
namespace {

using ::sa::testing::StatusIs;
using ::testing::HasSubstr;

class PeopleListTest : public ::testing::Test {
 protected:
  // Whether a current (not "Former …") office holder of `country` has a role containing one
  // of `offices`.
  static bool HasCurrent(const std::string& country, std::vector<std::string> offices) {
    for (const PersonEntry& p : testing::BundledGazetteer()->people()) {
      if (p.country != country || absl::StartsWith(p.role, "Former ")) continue;
      for (const std::string& office : offices) {
        if (absl::StrContains(p.role, office)) return true;
      }
    }
    return false;
  }
};

TEST_F(PeopleListTest, EveryRowHasARoleAndAnAsOfDate) {
  ASSERT_GE(testing::BundledGazetteer()->people().size(), 400u);
  for (const PersonEntry& p : testing::BundledGazetteer()->people()) {
    EXPECT_FALSE(p.role.empty()) << p.name;
    EXPECT_EQ(p.as_of.size(), 10u) << p.name << " has no as_of date";
  }
}

// G20 members (the EU and the African Union by their institutions, below), which include the
// UN Security Council's five permanent members: a current head of state or government, foreign
// minister and defence minister each.
TEST_F(PeopleListTest, EveryG20AndP5CountryHasItsCurrentLeadersAndMinisters) {
  for (const char* country : {"AR", "AU", "BR", "CA", "CN", "FR", "DE", "IN", "ID", "IT", "JP",
                              "MX", "RU", "SA", "ZA", "KR", "TR", "GB", "US"}) {
    bool head = false;
    for (const PersonEntry& p : testing::BundledGazetteer()->people()) {
      head = head || (p.country == country && IsHeadOfStateOrGovernment(p.role));
    }
    EXPECT_TRUE(head) << country << ": no current head of state or government";
    EXPECT_TRUE(HasCurrent(country, {"Foreign Minister", "Foreign Secretary", "Secretary of State",
                                     "External Affairs", "International Relations"}))
        << country << ": no current foreign minister";
    EXPECT_TRUE(HasCurrent(
        country, {"Defence Minister", "Defence Secretary", "Defense", "Armed Forces Minister"}))
        << country << ": no current defence minister";
  }
}

TEST_F(PeopleListTest, TheInternationalOrganisationsHaveTheirCurrentHeads) {
  for (const char* office :
       {"Secretary General of NATO", "President of the European Commission",
        "President of the European Council", "President of the European Parliament",
        "High Representative of the European Union", "Secretary-General of the United Nations",
        "International Atomic Energy Agency", "International Monetary Fund",
        "World Trade Organization", "Secretary General of OPEC", "World Health Organization",
        "President of the World Bank", "President of the European Central Bank",
        "African Union Commission"}) {
    EXPECT_TRUE([&] {
      for (const PersonEntry& p : testing::BundledGazetteer()->people()) {
        if (!absl::StartsWith(p.role, "Former ") && absl::StrContains(p.role, office)) return true;
      }
      return false;
    }()) << office;
  }
}

TEST_F(PeopleListTest, PredecessorsAreFormerAndNotHeads) {
  const PersonEntry* merkel = nullptr;
  for (const PersonEntry& p : testing::BundledGazetteer()->people()) {
    if (p.name == "Angela Merkel") merkel = &p;
  }
  ASSERT_NE(merkel, nullptr);
  EXPECT_EQ(merkel->role, "Former Chancellor of Germany");
  EXPECT_FALSE(IsHeadOfStateOrGovernment(merkel->role));
}

// The as_of column is optional (a 4-column file still loads) but must be a date when present;
// the country must be an ISO alpha-2 code or empty.
TEST(PeopleFile, AsOfAndCountryAreChecked) {
  const std::string dir =
      ::testing::TempDir() + "/gazetteer_people_cols_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  for (const char* f : {"places.tsv", "topics.tsv", "event_types.tsv"}) {
    std::filesystem::copy_file(std::string(SA_SOURCE_DIR "/data/gazetteer/") + f, dir + "/" + f,
                               std::filesystem::copy_options::overwrite_existing);
  }
  std::ofstream(dir + "/people.tsv") << "Jane Roe\tPresident of Nowhere\tXX\tRoe\n"
                                     << "John Doe\tMinister\t\t\t2024-02-29\n";
  auto g = Gazetteer::LoadFromDirectory(dir);
  ASSERT_TRUE(g.ok()) << g.status();
  ASSERT_EQ(g->people().size(), 2u);
  EXPECT_EQ(g->people()[0].as_of, "");
  EXPECT_EQ(g->people()[1].as_of, "2024-02-29");
  EXPECT_EQ(g->people()[1].country, "");

  std::ofstream(dir + "/people.tsv") << "# header\nJane Roe\tPresident\tXX\t\t2025-13-01\n";
  EXPECT_THAT(Gazetteer::LoadFromDirectory(dir),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("people.tsv:2: as_of '2025-13-01' is not a YYYY-MM-DD date")));
  std::ofstream(dir + "/people.tsv") << "Jane Roe\tPresident\tusa\t\t2025-01-01\n";
  EXPECT_THAT(Gazetteer::LoadFromDirectory(dir),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is not an ISO 3166-1")));
}

}  // namespace
}  // namespace sa::extract
