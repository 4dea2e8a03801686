// Accuracy of event extraction on labelled sets (data/eval/*.jsonl, rules in
// data/eval/LABELLING.md): precision, recall and F1 per field, event-type accuracy, "diplomatic"
// accuracy and "summit-related" (relevance >= 0.5) precision/recall — for all languages together
// and for each language.
//
//   build/tests/extract_eval FILE.jsonl... [--split=tune|heldout|all] [--gazetteer=DIR]
//       [--verbose] [--show_errors=FIELD] [--min=GROUP.MEASURE:VALUE,...]
//
// --split keeps the articles of one part (default all). --verbose lists each article's misses
// and extras, for `tune` articles only: the held-out part is scored, never inspected.
// --show_errors=FIELD (participants, places, organisations or topics) lists, for each `tune`
// article with a miss or an extra in that field, its id, language and title, the misses and
// extras, and what was predicted with its confidence (topics: score) and evidence text.
// --min sets floors (exit 1 below one): GROUP is "all" or a language code ("en"), MEASURE one of
// participants, places, organisations, topics (F1), summit (F1), type, diplomatic (accuracy).
//
// A label matches a predicted entity when, after Unicode normalisation (case, accents,
// punctuation), it equals the entity's name or one of its aliases. Topics are compared after
// adding each topic's ancestors (from the gazetteer's taxonomy) to both sides.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/text/tokenize.h"
#include "extract/event_extractor.h"
#include "extract/event_time.h"
#include "nlohmann/json.hpp"

namespace {

using summit_alerts::v1::Event;

struct Counts {
  int tp = 0, fp = 0, fn = 0;
  double precision() const { return tp + fp == 0 ? 1.0 : double(tp) / (tp + fp); }
  double recall() const { return tp + fn == 0 ? 1.0 : double(tp) / (tp + fn); }
  double f1() const {
    double p = precision(), r = recall();
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }
};

struct Accuracy {
  int right = 0, total = 0;
  double value() const { return total == 0 ? 1.0 : double(right) / total; }
};

// The scores of one group of articles (all, or one language).
struct Scores {
  int articles = 0;
  std::map<std::string, Counts> fields;  // participants, places, organisations, topics
  Counts summit;
  Accuracy type, diplomatic;
};

const char* const kFields[] = {"participants", "places", "organisations", "topics"};

// Types that report a diplomatic meeting (LABELLING.md "diplomatic").
bool IsDiplomaticType(const std::string& type) {
  return type == "summit/meeting" || type == "talks" || type == "state visit" ||
         type == "phone call" || type == "statement";
}

// A predicted entity: its normalised name and aliases, and the name to print.
struct Predicted {
  std::string shown;
  std::set<std::string> names;
};

template <typename Repeated>
std::vector<Predicted> PredictedOf(const Repeated& items) {
  std::vector<Predicted> out;
  for (const auto& i : items) {
    Predicted p{i.name(), {sa::text::NormalizePhrase(i.name())}};
    for (const auto& alias : i.aliases()) p.names.insert(sa::text::NormalizePhrase(alias));
    out.push_back(std::move(p));
  }
  return out;
}

// Matches labels to predictions one to one; a prediction matching no label is an extra.
void Score(const std::vector<Predicted>& got, const std::vector<std::string>& want, Counts& c,
           std::vector<std::string>& misses, std::vector<std::string>& extras) {
  std::vector<bool> used(got.size(), false);
  for (const std::string& label : want) {
    const std::string norm = sa::text::NormalizePhrase(label);
    bool found = false;
    for (size_t i = 0; i < got.size() && !found; ++i) {
      if (!used[i] && got[i].names.count(norm)) used[i] = found = true;
    }
    if (found) {
      ++c.tp;
    } else {
      ++c.fn;
      misses.push_back(label);
    }
  }
  for (size_t i = 0; i < got.size(); ++i) {
    if (!used[i]) {
      ++c.fp;
      extras.push_back(got[i].shown);
    }
  }
}

// Topic names with all their ancestors added.
std::vector<std::string> WithAncestors(
    const std::vector<std::string>& topics,
    const absl::flat_hash_map<std::string, std::string>& parent) {
  std::set<std::string> out;
  for (std::string t : topics) {
    for (int depth = 0; depth < 8 && !t.empty() && out.insert(t).second; ++depth) {
      auto it = parent.find(t);
      t = it == parent.end() ? "" : it->second;
    }
  }
  return {out.begin(), out.end()};
}

std::vector<std::string> Strings(const nlohmann::json& j) {
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const auto& v : j) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

void Print(const std::string& heading, const Scores& s) {
  std::printf("\n### %s: %d articles\n\n| field | precision | recall | F1 |\n|---|---|---|---|\n",
              heading.c_str(), s.articles);
  for (const char* field : kFields) {
    const Counts& c = s.fields.count(field) ? s.fields.at(field) : Counts{};
    std::printf("| %s | %.2f | %.2f | %.2f |\n", field, c.precision(), c.recall(), c.f1());
  }
  std::printf("| summit-related (relevance >= 0.5) | %.2f | %.2f | %.2f |\n", s.summit.precision(),
              s.summit.recall(), s.summit.f1());
  std::printf("\nevent type accuracy %.2f (%d/%d); diplomatic vs not accuracy %.2f (%d/%d)\n",
              s.type.value(), s.type.right, s.type.total, s.diplomatic.value(), s.diplomatic.right,
              s.diplomatic.total);
}

void PrintDiff(const std::string& id, const char* what, const std::vector<std::string>& misses,
               const std::vector<std::string>& extras) {
  if (misses.empty() && extras.empty()) return;
  std::printf("%s %s: missed [", id.c_str(), what);
  for (const auto& m : misses) std::printf("%s; ", m.c_str());
  std::printf("] extra [");
  for (const auto& x : extras) std::printf("%s; ", x.c_str());
  std::printf("]\n");
}

template <typename Repeated>
void PrintPredicted(const Repeated& items) {
  for (const auto& i : items) {
    std::printf("    %s (%.2f) \"%s\"\n", i.name().c_str(), i.confidence(),
                i.evidence().text().c_str());
  }
}

// --show_errors: one tune article's misses and extras in `field`, with what was predicted.
void PrintFieldErrors(const std::string& id, const std::string& language,
                      const summit_alerts::v1::Article& article, const Event& e,
                      const std::string& field, const std::vector<std::string>& misses,
                      const std::vector<std::string>& extras) {
  std::printf("\n%s [%s] %s (%zu body words)\n", id.c_str(), language.c_str(),
              article.title().c_str(), sa::text::Tokenize(article.body()).size());
  PrintDiff(id, field.c_str(), misses, extras);
  std::printf("  predicted:\n");
  if (field == "participants") PrintPredicted(e.participants());
  if (field == "places") PrintPredicted(e.places());
  if (field == "organisations") PrintPredicted(e.organisations());
  if (field == "topics") {
    for (const auto& t : e.topics()) {
      std::printf("    %s (%.2f) \"%s\"\n", t.name().c_str(), t.score(),
                  t.evidence().text().c_str());
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string gazetteer_dir = SA_SOURCE_DIR "/data/gazetteer", floors, split = "all";
  std::vector<std::string> paths;
  bool verbose = false;
  std::string show_errors;  // a field of kFields, or empty
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--gazetteer=", 0) == 0)
      gazetteer_dir = arg.substr(12);
    else if (arg.rfind("--min=", 0) == 0)
      floors = arg.substr(6);
    else if (arg.rfind("--split=", 0) == 0)
      split = arg.substr(8);
    else if (arg == "--verbose")
      verbose = true;
    else if (arg.rfind("--show_errors=", 0) == 0)
      show_errors = arg.substr(14);
    else
      paths.push_back(arg);
  }
  const bool known_field = show_errors.empty() || std::find(std::begin(kFields), std::end(kFields),
                                                            show_errors) != std::end(kFields);
  if (paths.empty() || (split != "tune" && split != "heldout" && split != "all") || !known_field) {
    std::fprintf(stderr,
                 "usage: extract_eval FILE.jsonl... [--split=tune|heldout|all] [--gazetteer=DIR] "
                 "[--verbose] [--show_errors=participants|places|organisations|topics] "
                 "[--min=GROUP.MEASURE:VALUE,...]\n");
    return 2;
  }
  auto g = sa::extract::Gazetteer::LoadFromDirectory(gazetteer_dir);
  if (!g.ok()) {
    std::fprintf(stderr, "extract_eval: %s\n", std::string(g.status().message()).c_str());
    return 2;
  }
  absl::flat_hash_map<std::string, std::string> topic_parent;
  for (const auto& t : g->topics()) {
    if (!t.parent.empty()) topic_parent[t.name] = t.parent;
  }
  sa::extract::EventExtractor extractor(std::make_shared<sa::extract::Gazetteer>(std::move(*g)));

  std::map<std::string, Scores> groups;  // "all" and each language
  for (const std::string& path : paths) {
    std::ifstream in(path);
    if (!in) {
      std::fprintf(stderr, "extract_eval: cannot open %s\n", path.c_str());
      return 2;
    }
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      if (line.empty()) continue;
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object() || !j.contains("labels")) {
        std::fprintf(stderr, "extract_eval: %s:%d: not a labelled article\n", path.c_str(), number);
        return 2;
      }
      const std::string article_split = Str(j, "split").empty() ? "tune" : Str(j, "split");
      if (split != "all" && article_split != split) continue;
      const nlohmann::json& labels = j["labels"];
      const std::string id = Str(j, "id");
      const std::string language = Str(j, "language").empty() ? "und" : Str(j, "language");

      // The article as the collector sees it: the feed's declared language, not the label.
      summit_alerts::v1::Article article;
      article.set_title(Str(j, "title"));
      article.set_body(Str(j, "body"));
      article.set_language(Str(j, "feed_language").substr(0, 2));
      absl::Time published = absl::Now();
      std::string err;
      if (absl::ParseTime(absl::RFC3339_full, Str(j, "published_at"), &published, &err)) {
        if (auto ts = sa::extract::ToTimestamp(published)) *article.mutable_published_at() = *ts;
      }
      Event e = extractor.Extract(article, published);

      const bool show = verbose && article_split == "tune";
      std::map<std::string, std::vector<Predicted>> got = {
          {"participants", PredictedOf(e.participants())},
          {"places", PredictedOf(e.places())},
          {"organisations", PredictedOf(e.organisations())}};
      std::vector<std::string> predicted_topics;
      for (const auto& t : e.topics()) predicted_topics.push_back(t.name());
      for (const std::string& t : WithAncestors(predicted_topics, topic_parent)) {
        got["topics"].push_back({t, {sa::text::NormalizePhrase(t)}});
      }
      const bool type_ok = e.type() == Str(labels, "type");
      const bool diplomatic_label = labels.value("diplomatic", false);
      const bool diplomatic_ok = IsDiplomaticType(e.type()) == diplomatic_label;
      const bool predicted = e.relevance() >= 0.5;
      const bool wanted = labels.value("summit_related", false);
      for (const std::string& group : {std::string("all"), language}) {
        Scores& s = groups[group];
        ++s.articles;
        for (const char* field : kFields) {
          std::vector<std::string> want = Strings(labels[field]);
          if (std::string(field) == "topics") want = WithAncestors(want, topic_parent);
          std::vector<std::string> misses, extras;
          Score(got[field], want, s.fields[field], misses, extras);
          if (show && group == "all") PrintDiff(id, field, misses, extras);
          if (group == "all" && article_split == "tune" && field == show_errors &&
              (!misses.empty() || !extras.empty())) {
            PrintFieldErrors(id, language, article, e, field, misses, extras);
          }
        }
        s.type.total++, s.type.right += type_ok;
        s.diplomatic.total++, s.diplomatic.right += diplomatic_ok;
        if (predicted && wanted)
          ++s.summit.tp;
        else if (predicted)
          ++s.summit.fp;
        else if (wanted)
          ++s.summit.fn;
      }
      if (show && !type_ok) {
        std::printf("%s type: got %s (%s), want %s\n", id.c_str(), e.type().c_str(),
                    e.type_evidence().text().c_str(), Str(labels, "type").c_str());
      }
      if (show && !diplomatic_ok) {
        std::printf("%s diplomatic: got type %s, want diplomatic=%s\n", id.c_str(),
                    e.type().c_str(), diplomatic_label ? "true" : "false");
      }
      if (show && predicted != wanted) {
        std::printf("%s summit-related: relevance %.2f, want %s\n", id.c_str(), e.relevance(),
                    wanted ? "true" : "false");
      }
    }
  }
  if (groups.empty()) {
    std::fprintf(stderr, "extract_eval: no article in split %s\n", split.c_str());
    return 2;
  }
  std::printf("\n## Extraction accuracy, split %s\n", split.c_str());
  Print("all languages", groups["all"]);
  for (const auto& [group, scores] : groups) {
    if (group != "all") Print(group, scores);
  }

  int rc = 0;
  for (absl::string_view floor : absl::StrSplit(floors, ',', absl::SkipEmpty())) {
    std::vector<std::string> kv = absl::StrSplit(floor, ':');
    std::vector<std::string> gm = absl::StrSplit(kv[0], absl::MaxSplits('.', 1));
    double min = 0;
    if (kv.size() != 2 || gm.size() != 2 || !absl::SimpleAtod(kv[1], &min)) {
      std::fprintf(stderr, "extract_eval: bad floor '%s' (want GROUP.MEASURE:VALUE)\n",
                   std::string(floor).c_str());
      return 2;
    }
    auto it = groups.find(gm[0]);
    if (it == groups.end()) {
      std::fprintf(stderr, "extract_eval: floor '%s': no article in group %s\n",
                   std::string(floor).c_str(), gm[0].c_str());
      rc = 1;
      continue;
    }
    const Scores& s = it->second;
    const std::string& m = gm[1];
    double value = m == "type"         ? s.type.value()
                   : m == "diplomatic" ? s.diplomatic.value()
                   : m == "summit"     ? s.summit.f1()
                   : s.fields.count(m) ? s.fields.at(m).f1()
                                       : -1;
    if (value < 0) {
      std::fprintf(stderr, "extract_eval: unknown measure in floor '%s'\n",
                   std::string(floor).c_str());
      return 2;
    }
    if (value < min) {
      std::fprintf(stderr, "extract_eval: %s.%s %.2f is below the floor %.2f\n", gm[0].c_str(),
                   m.c_str(), value, min);
      rc = 1;
    }
  }
  return rc;
}
