#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/text/phrase_index.h"
#include "common/text/tokenize.h"

namespace sa::text {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Words(absl::string_view s) {
  std::vector<std::string> out;
  for (const Token& t : Tokenize(s)) out.push_back(t.norm);
  return out;
}

TEST(Tokenize, FoldsCaseAndKeepsOriginalOffsets) {
  std::string text = "President PUTIN, in Anchorage.";
  auto tokens = Tokenize(text);
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[1].norm, "putin");
  EXPECT_EQ(text.substr(tokens[1].begin, tokens[1].end - tokens[1].begin), "PUTIN");
  EXPECT_EQ(tokens[3].norm, "anchorage");
}

TEST(Tokenize, StripsAccentsAndFoldsCyrillic) {
  EXPECT_THAT(Words("Pútin Erdoğan Genève"), ElementsAre("putin", "erdogan", "geneve"));
  EXPECT_THAT(Words("Владимир ПУТИН"), ElementsAre("владимир", "путин"));
}

TEST(Tokenize, AnyDashOrPunctuationSeparatesWords) {
  EXPECT_THAT(Words("Elmendorf–Richardson"), ElementsAre("elmendorf", "richardson"));
  EXPECT_THAT(Words("Elmendorf-Richardson"), ElementsAre("elmendorf", "richardson"));
  EXPECT_THAT(Words("U.S.-Russia"), ElementsAre("u", "s", "russia"));
}

TEST(Tokenize, InvalidUtf8ActsAsSeparator) {
  EXPECT_THAT(Words("abc\xff\xfe"
                    "def"),
              ElementsAre("abc", "def"));
  EXPECT_FALSE(IsValidUtf8("abc\xff"));
  EXPECT_TRUE(IsValidUtf8("Путин"));
}

// ForEachWord hashes ASCII words straight from the source text, lower-casing in registers;
// the result must equal WordHash of the normalised word for every length and mix of case.
TEST(ForEachWord, HashesEqualWordHashOfTheNormalisedWord) {
  std::string text;
  const std::string letters = "aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789zYxW";
  for (size_t n = 1; n <= letters.size(); ++n)
    text += letters.substr(0, n) + " " + letters.substr(letters.size() - n) + ", ";
  text += "Путин Pútin naïve ZZ";
  size_t words = 0;
  ForEachWord(text, [&](const WordRef& word) {
    ++words;
    EXPECT_EQ(word.Hash(), WordHash(word.norm)) << word.norm;
    EXPECT_EQ(word.norm, Tokenize(text.substr(word.begin, word.end - word.begin))[0].norm);
  });
  EXPECT_EQ(words, 2 * letters.size() + 4);
  EXPECT_NE(WordHash("putin"), WordHash("putim"));
  EXPECT_NE(WordHash("ab"), WordHash("ba"));
  EXPECT_NE(WordHash(""), WordHash("a"));
}

TEST(SplitSentences, KeepsAbbreviationsAndInitialsInsideASentence) {
  auto s = SplitSentences(
      "In a meeting, U.S. President Donald J. Trump met Mr. Putin. Talks followed! Was it good? "
      "Yes.");
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0], "In a meeting, U.S. President Donald J. Trump met Mr. Putin.");
  EXPECT_EQ(s[1], "Talks followed!");
  EXPECT_EQ(s[3], "Yes.");
}

TEST(SplitSentences, LineBreaksEndSentences) {
  auto s = SplitSentences("Background & Context\nThe choice of Anchorage");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], "Background & Context");
}

TEST(PhraseIndex, FindsMultiWordPhrasesAndOverlaps) {
  PhraseIndex index;
  ASSERT_TRUE(index.Add("Vladimir Putin", 1));
  ASSERT_TRUE(index.Add("Putin", 2));
  ASSERT_TRUE(index.Add("Joint Base Elmendorf-Richardson", 3));
  EXPECT_FALSE(index.Add("!!", 4));
  auto hits = index.FindAll(Tokenize("Vladimir Putin at Joint Base Elmendorf–Richardson; Putin"));
  std::vector<std::pair<uint32_t, uint32_t>> found;  // (value, first token)
  for (const auto& h : hits) found.push_back({h.value, h.first_token});
  EXPECT_THAT(
      found, ElementsAre(std::pair<uint32_t, uint32_t>{1, 0}, std::pair<uint32_t, uint32_t>{2, 1},
                         std::pair<uint32_t, uint32_t>{3, 3}, std::pair<uint32_t, uint32_t>{2, 7}));
}

TEST(PhraseIndex, PartialPhraseDoesNotMatch) {
  PhraseIndex index;
  index.Add("arms control", 1);
  EXPECT_TRUE(index.FindAll(Tokenize("arms race and control")).empty());
}

}  // namespace
}  // namespace sa::text
