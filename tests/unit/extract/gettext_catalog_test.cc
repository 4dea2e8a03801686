// The .mo reader (extract/gettext_catalog.h): both byte orders, the header and plural entries
// skipped, and truncated or lying files refused with a clear error, never read out of bounds.
#include "extract/gettext_catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sa::extract {
namespace {

using ::testing::HasSubstr;

// A .mo file with `messages` (id, translation), little- or big-endian.
std::string MakeMo(const std::vector<std::pair<std::string, std::string>>& messages,
                   bool big_endian) {
  auto word = [&](std::string& out, uint32_t v) {
    for (int i = 0; i < 4; ++i) {
      int shift = big_endian ? 24 - 8 * i : 8 * i;
      out += static_cast<char>((v >> shift) & 0xff);
    }
  };
  const uint32_t n = static_cast<uint32_t>(messages.size());
  const uint32_t ids_at = 28, strs_at = ids_at + 8 * n;
  uint32_t data_at = strs_at + 8 * n;
  std::string header, tables_ids, tables_strs, data;
  word(header, 0x950412de);
  word(header, 0);
  word(header, n);
  word(header, ids_at);
  word(header, strs_at);
  word(header, 0);
  word(header, 0);
  for (const auto& [id, str] : messages) {
    word(tables_ids, static_cast<uint32_t>(id.size()));
    word(tables_ids, data_at + static_cast<uint32_t>(data.size()));
    data += id;
    data += '\0';
  }
  for (const auto& [id, str] : messages) {
    word(tables_strs, static_cast<uint32_t>(str.size()));
    word(tables_strs, data_at + static_cast<uint32_t>(data.size()));
    data += str;
    data += '\0';
  }
  return header + tables_ids + tables_strs + data;
}

const std::vector<std::pair<std::string, std::string>> kMessages = {
    {"", "Content-Type: text/plain; charset=UTF-8\n"},
    {"Germany", "Deutschland"},
    {std::string("one city\0many cities", 20), std::string("eine Stadt\0viele", 16)},
    {"Russian Federation", "Российская Федерация"}};

TEST(GettextCatalogTest, ReadsBothByteOrdersSkippingHeaderAndPlurals) {
  for (bool big : {false, true}) {
    auto messages = ParseGettextCatalog(MakeMo(kMessages, big), "test.mo");
    ASSERT_TRUE(messages.ok()) << messages.status();
    ASSERT_EQ(messages->size(), 2u);
    EXPECT_EQ((*messages)[0].id, "Germany");
    EXPECT_EQ((*messages)[0].translation, "Deutschland");
    EXPECT_EQ((*messages)[1].translation, "Российская Федерация");
  }
}

TEST(GettextCatalogTest, TruncatedFilesAreRefusedAtEveryLength) {
  const std::string mo = MakeMo(kMessages, false);
  for (size_t len = 0; len < mo.size(); ++len) {
    auto messages = ParseGettextCatalog(mo.substr(0, len), "cut.mo");
    EXPECT_FALSE(messages.ok()) << "length " << len;
    if (!messages.ok()) {
      EXPECT_THAT(messages.status().message(), HasSubstr("cut.mo"));
    }
  }
}

TEST(GettextCatalogTest, BadMagicOffsetsAndCountsAreClearErrors) {
  std::string mo = MakeMo(kMessages, false);
  std::string bad_magic = mo;
  bad_magic[0] = 'X';
  EXPECT_THAT(ParseGettextCatalog(bad_magic, "m.mo").status().message(), HasSubstr("magic"));

  std::string lying_count = mo;
  lying_count[8] = lying_count[9] = lying_count[10] = lying_count[11] = '\xff';
  EXPECT_THAT(ParseGettextCatalog(lying_count, "m.mo").status().message(), HasSubstr("count"));

  // The second message's id offset (table entry 1, at 28 + 8 + 4) points past the end.
  std::string bad_offset = mo;
  bad_offset[40] = bad_offset[41] = bad_offset[42] = '\xff';
  bad_offset[43] = '\x7f';
  EXPECT_THAT(ParseGettextCatalog(bad_offset, "m.mo").status().message(),
              HasSubstr("outside the file"));

  // The string table itself placed beyond the file.
  std::string bad_table = mo;
  bad_table[12] = bad_table[13] = bad_table[14] = '\xff';
  bad_table[15] = '\x7f';
  EXPECT_FALSE(ParseGettextCatalog(bad_table, "m.mo").ok());
}

TEST(GettextCatalogTest, MissingFileIsNotFoundAndTheRealCataloguesParse) {
  EXPECT_EQ(ReadGettextCatalog("/nonexistent/x.mo").status().code(), absl::StatusCode::kNotFound);
  auto de = ReadGettextCatalog("/usr/share/locale/de/LC_MESSAGES/iso_3166-1.mo");
  ASSERT_TRUE(de.ok()) << de.status();
  bool found = false;
  for (const auto& m : *de) found = found || (m.id == "Germany" && m.translation == "Deutschland");
  EXPECT_TRUE(found);
  EXPECT_FALSE(ReadGettextCatalog("/usr/share/locale/de/LC_MESSAGES/iso_3166-1.mo", 100).ok());
}

}  // namespace
}  // namespace sa::extract
