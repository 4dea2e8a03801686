#include "formats/feed_dates.h"

#include <array>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sa::feeds {
namespace {

struct Fields {
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int offset_minutes = 0;  // east of UTC
};

std::optional<absl::Time> ToTime(const Fields& f) {
  if (f.year < 1 || f.year > 9999 || f.month < 1 || f.month > 12 || f.day < 1 || f.hour > 24 ||
      f.minute > 59 || f.second > 60 || f.hour < 0 || f.minute < 0 || f.second < 0) {
    return std::nullopt;
  }
  absl::CivilDay day(f.year, f.month, f.day);
  if (day.day() != f.day) return std::nullopt;  // 31 April, 29 February of a common year
  absl::CivilSecond civil(f.year, f.month, f.day, f.hour, f.minute, std::min(f.second, 59));
  return absl::FromCivil(civil, absl::UTCTimeZone()) - absl::Minutes(f.offset_minutes);
}

bool Digits(absl::string_view s, size_t n, int& out) {
  if (s.size() != n) return false;
  out = 0;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

// "+hh:mm", "+hhmm", "+hh", "Z", "" at the end of an ISO date.
bool IsoOffset(absl::string_view s, int& minutes) {
  minutes = 0;
  if (s.empty() || s == "Z" || s == "z") return true;
  if (s[0] != '+' && s[0] != '-') return false;
  int sign = s[0] == '-' ? -1 : 1;
  s.remove_prefix(1);
  int h = 0, m = 0;
  if (Digits(s, 2, h)) {
  } else if (s.size() == 5 && s[2] == ':' && Digits(s.substr(0, 2), 2, h) &&
             Digits(s.substr(3), 2, m)) {
  } else if (s.size() == 4 && Digits(s.substr(0, 2), 2, h) && Digits(s.substr(2), 2, m)) {
  } else {
    return false;
  }
  if (h > 14 || m > 59) return false;
  minutes = sign * (h * 60 + m);
  return true;
}

std::optional<absl::Time> ParseIso(absl::string_view s) {
  Fields f;
  // Date: YYYY[-MM[-DD]] or YYYYMMDD.
  size_t t = s.find_first_of("Tt ");
  absl::string_view date = s.substr(0, t);
  absl::string_view time = t == absl::string_view::npos ? "" : s.substr(t + 1);
  if (date.size() == 8 && Digits(date.substr(0, 4), 4, f.year) &&
      Digits(date.substr(4, 2), 2, f.month) && Digits(date.substr(6, 2), 2, f.day)) {
  } else {
    std::vector<absl::string_view> parts = absl::StrSplit(date, '-');
    if (parts.size() > 3 || !Digits(parts[0], 4, f.year)) return std::nullopt;
    if (parts.size() > 1 && !Digits(parts[1], 2, f.month)) return std::nullopt;
    if (parts.size() > 2 && !Digits(parts[2], 2, f.day)) return std::nullopt;
  }
  if (time.empty()) return ToTime(f);
  // Time: hh:mm[:ss[.fff]] or hhmmss, then the offset.
  size_t zone = time.find_first_of("Zz+-");
  absl::string_view clock = time.substr(0, zone);
  absl::string_view offset = zone == absl::string_view::npos ? "" : time.substr(zone);
  clock = absl::StripAsciiWhitespace(clock);
  if (size_t dot = clock.find_first_of(".,"); dot != absl::string_view::npos) {
    clock = clock.substr(0, dot);  // fractions of a second are dropped
  }
  std::vector<absl::string_view> hms = absl::StrSplit(clock, ':');
  if (hms.size() == 1 && clock.size() == 6) {
    hms = {clock.substr(0, 2), clock.substr(2, 2), clock.substr(4, 2)};
  } else if (hms.size() == 1 && clock.size() == 4) {
    hms = {clock.substr(0, 2), clock.substr(2, 2)};
  }
  if (hms.size() < 2 || hms.size() > 3) return std::nullopt;
  if (!Digits(hms[0], 2, f.hour) || !Digits(hms[1], 2, f.minute)) return std::nullopt;
  if (hms.size() == 3 && !Digits(hms[2], 2, f.second)) return std::nullopt;
  if (!IsoOffset(absl::StripAsciiWhitespace(offset), f.offset_minutes)) return std::nullopt;
  return ToTime(f);
}

int MonthNumber(absl::string_view token) {
  static constexpr std::array<const char*, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
  if (token.size() < 3) return 0;
  std::string lower = absl::AsciiStrToLower(token.substr(0, 3));
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (lower == kMonths[i]) return static_cast<int>(i) + 1;
  }
  return 0;
}

bool IsDayName(absl::string_view token) {
  static constexpr std::array<const char*, 7> kDays = {"mon", "tue", "wed", "thu",
                                                       "fri", "sat", "sun"};
  if (token.size() < 3) return false;
  std::string lower = absl::AsciiStrToLower(token.substr(0, 3));
  for (const char* d : kDays) {
    if (lower == d) return true;
  }
  return false;
}

// Zone names and military letters of RFC 822, as minutes east of UTC.
std::optional<int> NamedZone(absl::string_view token) {
  std::string z = absl::AsciiStrToUpper(token);
  if (z == "GMT" || z == "UT" || z == "UTC" || z == "Z") return 0;
  if (z == "EST") return -5 * 60;
  if (z == "EDT") return -4 * 60;
  if (z == "CST") return -6 * 60;
  if (z == "CDT") return -5 * 60;
  if (z == "MST") return -7 * 60;
  if (z == "MDT") return -6 * 60;
  if (z == "PST") return -8 * 60;
  if (z == "PDT") return -7 * 60;
  if (z.size() == 1 && z[0] >= 'A' && z[0] <= 'Y' && z[0] != 'J') {
    char c = z[0];
    if (c <= 'I') return (c - 'A' + 1) * 60;
    if (c <= 'M') return (c - 'A') * 60;  // K..M = +10..+12 (J is unused)
    return -(c - 'N' + 1) * 60;           // N..Y = -1..-12
  }
  return std::nullopt;
}

std::optional<absl::Time> ParseRfc822(absl::string_view s) {
  std::vector<absl::string_view> tokens =
      absl::StrSplit(s, absl::ByAnyChar(" ,\t"), absl::SkipEmpty());
  if (!tokens.empty() && IsDayName(tokens[0])) tokens.erase(tokens.begin());
  Fields f;
  bool have_day = false, have_month = false, have_year = false, have_time = false;
  bool have_zone = false;
  for (absl::string_view tok : tokens) {
    int n = 0;
    if (!have_month && MonthNumber(tok) != 0 && absl::ascii_isalpha(tok[0])) {
      f.month = MonthNumber(tok);
      have_month = true;
    } else if (!have_time && tok.find(':') != absl::string_view::npos) {
      std::vector<absl::string_view> hms = absl::StrSplit(tok, ':');
      if (hms.size() < 2 || hms.size() > 3) return std::nullopt;
      if (!absl::SimpleAtoi(hms[0], &f.hour) || !absl::SimpleAtoi(hms[1], &f.minute) ||
          (hms.size() == 3 && !absl::SimpleAtoi(hms[2], &f.second))) {
        return std::nullopt;
      }
      have_time = true;
    } else if (absl::SimpleAtoi(tok, &n) && tok[0] != '+' && tok[0] != '-') {
      if (!have_day && tok.size() <= 2) {
        f.day = n;
        have_day = true;
      } else if (!have_year && (tok.size() == 2 || tok.size() == 4)) {
        // Two-digit years: 00..68 -> 2000s, 69..99 -> 1900s (as POSIX strptime).
        f.year = tok.size() == 4 ? n : (n < 69 ? 2000 + n : 1900 + n);
        have_year = true;
      } else {
        return std::nullopt;
      }
    } else if (have_time && !have_zone && (tok[0] == '+' || tok[0] == '-')) {
      if (!IsoOffset(tok, f.offset_minutes)) return std::nullopt;
      have_zone = true;
    } else if (have_time && !have_zone && NamedZone(tok)) {
      f.offset_minutes = *NamedZone(tok);
      have_zone = true;
    } else {
      return std::nullopt;
    }
  }
  if (!have_day || !have_month || !have_year) return std::nullopt;
  return ToTime(f);
}

}  // namespace

std::optional<absl::Time> ParseFeedDate(absl::string_view text) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  if (s.size() < 4 || s.size() > 64) return std::nullopt;
  bool starts_with_year = s.size() >= 4 && absl::ascii_isdigit(s[0]) && absl::ascii_isdigit(s[1]) &&
                          absl::ascii_isdigit(s[2]) && absl::ascii_isdigit(s[3]);
  if (starts_with_year) return ParseIso(s);
  return ParseRfc822(s);
}

}  // namespace sa::feeds
