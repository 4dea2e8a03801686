#include "extract/event_time.h"

#include <re2/re2.h>

#include <array>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"

namespace sa::extract {
namespace {

constexpr char kMonth[] =
    "(January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\\.?";
constexpr char kWeekday[] = "(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";

int MonthNumber(absl::string_view name) {
  static constexpr std::array<const char*, 12> kNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                         "jul", "aug", "sep", "oct", "nov", "dec"};
  std::string lower = absl::AsciiStrToLower(name.substr(0, 3));
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (lower == kNames[i]) return static_cast<int>(i) + 1;
  }
  return 0;
}

int WeekdayIndex(absl::string_view name) {  // Monday = 0
  static constexpr std::array<const char*, 7> kNames = {"mon", "tue", "wed", "thu",
                                                        "fri", "sat", "sun"};
  std::string lower = absl::AsciiStrToLower(name.substr(0, 3));
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (lower == kNames[i]) return static_cast<int>(i);
  }
  return -1;
}

int WeekdayOf(absl::CivilDay d) {
  switch (absl::GetWeekday(d)) {
    case absl::Weekday::monday:
      return 0;
    case absl::Weekday::tuesday:
      return 1;
    case absl::Weekday::wednesday:
      return 2;
    case absl::Weekday::thursday:
      return 3;
    case absl::Weekday::friday:
      return 4;
    case absl::Weekday::saturday:
      return 5;
    case absl::Weekday::sunday:
      return 6;
  }
  return 0;
}

absl::Time DayStart(absl::CivilDay d) { return absl::FromCivil(d, absl::UTCTimeZone()); }

std::optional<absl::CivilDay> ValidDay(int year, int month, int day) {
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 1900 || year > 2200)
    return std::nullopt;
  absl::CivilDay d(year, month, day);
  if (d.day() != day) return std::nullopt;
  return d;
}

// A month and day without a year: the occurrence nearest the reference day.
std::optional<absl::CivilDay> NearestYear(int month, int day, absl::CivilDay ref) {
  std::optional<absl::CivilDay> best;
  for (int year : {static_cast<int>(ref.year()) - 1, static_cast<int>(ref.year()),
                   static_cast<int>(ref.year()) + 1}) {
    auto d = ValidDay(year, month, day);
    if (d && (!best || std::abs(*d - ref) < std::abs(*best - ref))) best = d;
  }
  return best;
}

struct Candidate {
  size_t begin, end;
  absl::CivilDay day;
  bool relative;
};

constexpr int64_t kMinTimestampSeconds = -62135596800;  // 0001-01-01T00:00:00Z
constexpr int64_t kMaxTimestampSeconds = 253402300799;  // 9999-12-31T23:59:59Z

bool IsPlausibleDay(absl::CivilDay d) { return d.year() >= 1900 && d.year() <= 2200; }

}  // namespace

bool IsPlausibleDate(absl::Time t) {
  return t >= DayStart(absl::CivilDay(1900, 1, 1)) && t < DayStart(absl::CivilDay(2201, 1, 1));
}

std::optional<google::protobuf::Timestamp> ToTimestamp(absl::Time t) {
  if (t < absl::FromUnixSeconds(kMinTimestampSeconds) ||
      t >= absl::FromUnixSeconds(kMaxTimestampSeconds + 1)) {
    return std::nullopt;
  }
  const int64_t seconds = absl::ToUnixSeconds(t);  // rounds down
  google::protobuf::Timestamp ts;
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
  return ts;
}

std::optional<absl::Time> FromTimestamp(const google::protobuf::Timestamp& ts) {
  if (ts.seconds() < kMinTimestampSeconds || ts.seconds() > kMaxTimestampSeconds ||
      ts.nanos() < 0 || ts.nanos() > 999999999) {
    return std::nullopt;
  }
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

std::optional<TimeMention> FindEventTime(absl::string_view text, absl::Time reference) {
  static const RE2* iso = new RE2("\\b(\\d{4})-(\\d{2})-(\\d{2})\\b");
  static const RE2* month_day = new RE2(std::string("\\b") + kMonth +
                                        "\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(\\d{4})\\b)?");
  static const RE2* day_month =
      new RE2(std::string("\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?") + kMonth +
              "(?:,?\\s+(\\d{4})\\b)?");
  static const RE2* weekday =
      new RE2(std::string("(?i:\\b(?:(on|this|next|last|coming|past)\\s+)?)") + kWeekday + "\\b");
  static const RE2* relative = new RE2(
      "(?i)\\b(today|tonight|yesterday|tomorrow|next week|last week|this weekend|next month|last "
      "month)\\b");

  // Relative expressions (and a month and day without a year) need a plausible reference;
  // without one only explicit dates count. This also keeps all day arithmetic far from the
  // limits of absl::CivilDay and of google.protobuf.Timestamp.
  const bool have_ref = IsPlausibleDate(reference);
  const absl::CivilDay ref =
      have_ref ? absl::ToCivilDay(reference, absl::UTCTimeZone()) : absl::CivilDay(2000, 1, 1);
  std::vector<Candidate> found;
  // RE2 speaks re2::StringPiece (Debian's Abseil has its own string_view).
  const re2::StringPiece all(text.data(), text.size());
  auto offset = [&](re2::StringPiece match) {
    return static_cast<size_t>(match.data() - text.data());
  };
  auto to_view = [](re2::StringPiece p) { return absl::string_view(p.data(), p.size()); };
  re2::StringPiece m[4];
  {
    re2::StringPiece in = all;
    while (RE2::FindAndConsume(&in, *iso, &m[1], &m[2], &m[3])) {
      int y = 0, mo = 0, d = 0;
      (void)absl::SimpleAtoi(to_view(m[1]), &y);
      (void)absl::SimpleAtoi(to_view(m[2]), &mo);
      (void)absl::SimpleAtoi(to_view(m[3]), &d);
      if (auto day = ValidDay(y, mo, d))
        found.push_back({offset(m[1]), offset(m[3]) + m[3].size(), *day, false});
    }
  }
  for (const RE2* re : {month_day, day_month}) {
    re2::StringPiece in = all, a, b, c;
    while (RE2::FindAndConsume(&in, *re, &a, &b, &c)) {
      absl::string_view month_name = to_view(re == month_day ? a : b);
      absl::string_view day_text = to_view(re == month_day ? b : a);
      int day = 0, year = 0;
      (void)absl::SimpleAtoi(day_text, &day);
      const int month = MonthNumber(month_name);
      std::optional<absl::CivilDay> d = !c.empty() && absl::SimpleAtoi(to_view(c), &year)
                                            ? ValidDay(year, month, day)
                                        : have_ref ? NearestYear(month, day, ref)
                                                   : std::nullopt;
      if (d) found.push_back({std::min(offset(a), offset(b)), offset(in), *d, c.empty()});
    }
  }
  if (have_ref) {
    re2::StringPiece in = all, word, name;
    while (RE2::FindAndConsume(&in, *weekday, &word, &name)) {
      int target = WeekdayIndex(to_view(name));
      int today = WeekdayOf(ref);
      std::string w = absl::AsciiStrToLower(to_view(word));
      int delta;
      if (w == "next" || w == "coming") {
        delta = (target - today + 7) % 7;
        if (delta == 0) delta = 7;
      } else if (w == "last" || w == "past") {
        delta = -((today - target + 7) % 7);
        if (delta == 0) delta = -7;
      } else {
        delta = (target - today + 7) % 7;  // 0..6 ahead
        if (delta > 3) delta -= 7;         // nearest: -3..+3
      }
      size_t begin = word.empty() ? offset(name) : offset(word);
      found.push_back({begin, offset(name) + name.size(), ref + delta, true});
    }
  }
  if (have_ref) {
    re2::StringPiece in = all, what;
    while (RE2::FindAndConsume(&in, *relative, &what)) {
      std::string w = absl::AsciiStrToLower(to_view(what));
      absl::CivilDay d = ref;
      if (w == "yesterday")
        d = ref - 1;
      else if (w == "tomorrow")
        d = ref + 1;
      else if (w == "next week")
        d = ref + 7;
      else if (w == "last week")
        d = ref - 7;
      else if (w == "next month")
        d = ref + 30;
      else if (w == "last month")
        d = ref - 30;
      else if (w == "this weekend")
        d = ref + ((5 - WeekdayOf(ref) + 7) % 7);
      found.push_back({offset(what), offset(what) + what.size(), d, true});
    }
  }
  const Candidate* first = nullptr;
  for (const Candidate& c : found) {
    if (IsPlausibleDay(c.day) && (first == nullptr || c.begin < first->begin)) first = &c;
  }
  if (first == nullptr) return std::nullopt;
  return TimeMention{DayStart(first->day), static_cast<uint32_t>(first->begin),
                     static_cast<uint32_t>(first->end), first->relative};
}

}  // namespace sa::extract
