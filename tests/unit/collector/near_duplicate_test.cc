// SimHash and canonical URLs, the two ways the collector recognises a story it already has:
// on the seed story republished with the edits outlets make, and on different stories about
// the same summit (which must stay apart).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "collector/ingest/canonical_url.h"
#include "common/text/simhash.h"

namespace sa {
namespace {

using text::HammingDistance;
using text::SimHash;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_FALSE(s.str().empty()) << path;
  return s.str();
}

std::string Seed() { return ReadFile(SA_SOURCE_DIR "/data/sample/anchorage-summit.txt"); }

// How outlets republish a wire story.
std::vector<std::pair<std::string, std::string>> SyndicatedCopies(const std::string& seed) {
  std::string dateline = absl::StrCat("ANCHORAGE, Alaska (Northern Wire) — ", seed);
  std::string reworded =
      absl::StrReplaceAll(seed, {{"In a highly anticipated meeting", "In a much-awaited meeting"},
                                 {"is set to meet with", "will meet"},
                                 {"considerable international attention", "worldwide attention"}});
  std::string tagline =
      absl::StrCat(seed,
                   "\nReporting by Northern Wire staff; editing by the world desk. "
                   "Copyright 2025 Northern Wire. All rights reserved.");
  // Drop the "Background & Context" paragraph.
  std::string shortened = seed;
  size_t a = shortened.find("The choice of Anchorage");
  size_t b = shortened.find('\n', a);
  if (a != std::string::npos && b != std::string::npos) shortened.erase(a, b - a + 1);
  std::string all =
      absl::StrCat("ANCHORAGE (Northern Wire) — ",
                   absl::StrReplaceAll(shortened, {{"highly anticipated", "much-awaited"}}),
                   "\nCopyright 2025 Northern Wire.");
  return {{"dateline", dateline},
          {"reworded lead", reworded},
          {"tagline", tagline},
          {"paragraph dropped", shortened},
          {"all of these", all}};
}

// The collector's rule (PublisherOptions): word SimHash within 3 bits and 3-shingle SimHash
// within 16 bits. Distances measured here are in docs/FEEDS.md.
TEST(SimHashTest, RecognisesTheSeedStoryRepublishedWithEdits) {
  const std::string seed = Seed();
  for (const auto& [edit, copy] : SyndicatedCopies(seed)) {
    int words = HammingDistance(SimHash(seed, 1), SimHash(copy, 1));
    int shingles = HammingDistance(SimHash(seed, 3), SimHash(copy, 3));
    EXPECT_LE(words, 3) << edit;
    EXPECT_LE(shingles, 16) << edit;
    std::printf("copy, %-18s word distance %d, shingle distance %d\n", edit.c_str(), words,
                shingles);
  }
}

TEST(SimHashTest, KeepsDifferentStoriesOnTheSameSummitApart) {
  const std::vector<std::string> texts = {
      Seed(), ReadFile(SA_SOURCE_DIR "/tests/data/near_duplicates/lavrov-briefing.txt"),
      ReadFile(SA_SOURCE_DIR "/tests/data/near_duplicates/anchorage-protests.txt")};
  for (size_t i = 0; i < texts.size(); ++i) {
    for (size_t j = i + 1; j < texts.size(); ++j) {
      int words = HammingDistance(SimHash(texts[i], 1), SimHash(texts[j], 1));
      int shingles = HammingDistance(SimHash(texts[i], 3), SimHash(texts[j], 3));
      EXPECT_TRUE(words > 3 || shingles > 16) << i << " vs " << j;
      EXPECT_GT(shingles, 16) << i << " vs " << j;
      std::printf("different stories %zu/%zu word distance %d, shingle distance %d\n", i, j, words,
                  shingles);
    }
  }
}

TEST(SimHashTest, IsStableAndNormalised) {
  // Stored in Redis: the value must never change between builds.
  EXPECT_EQ(SimHash("Putin meets Trump in Anchorage"),
            SimHash("PUTIN meets  Trump, in Anchorage!"));
  EXPECT_EQ(SimHash(""), 0u);
  EXPECT_EQ(HammingDistance(0, ~uint64_t{0}), 64);
  // Golden values: a change here invalidates every fingerprint stored in Redis.
  EXPECT_EQ(SimHash("Putin meets Trump in Anchorage"), 0xe0a589e02c0b33b2u);
  EXPECT_EQ(SimHash("Putin meets Trump in Anchorage", 1), 0x6fbd515909547ee5u);
}

TEST(CanonicalUrlTest, DropsWhatDoesNotNameTheArticle) {
  using collector::CanonicalUrl;
  EXPECT_EQ(
      CanonicalUrl("HTTPS://News.Example.COM:443/World/Story?utm_source=rss&id=7&utm_medium=x#top"),
      "https://news.example.com/World/Story?id=7");
  EXPECT_EQ(CanonicalUrl("http://example.org:80/a?fbclid=abc&gclid=1"), "http://example.org/a");
  EXPECT_EQ(CanonicalUrl("http://example.org:8080/a?b=2&a=1"), "http://example.org:8080/a?a=1&b=2");
  EXPECT_EQ(CanonicalUrl("https://example.org"), "https://example.org/");
  EXPECT_EQ(CanonicalUrl("https://user:pw@example.org/x"), "https://example.org/x");
  EXPECT_EQ(CanonicalUrl("not a url"), "");
  EXPECT_EQ(CanonicalUrl(""), "");
}

}  // namespace
}  // namespace sa
