// Accuracy of event extraction on a labelled set (data/eval/articles.jsonl): precision, recall
// and F1 per field, type accuracy, and "summit-related" (relevance >= 0.5) precision/recall.
//
//   build/tests/extract_eval data/eval/articles.jsonl [--gazetteer=data/gazetteer] [--verbose]
//       [--min_f1=participants:0.8,places:0.8,...]   (exit 1 below a floor: a regression check)
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "extract/event_extractor.h"
#include "google/protobuf/util/time_util.h"
#include "nlohmann/json.hpp"

namespace {

struct Counts {
  int tp = 0, fp = 0, fn = 0;
  double precision() const { return tp + fp == 0 ? 1.0 : double(tp) / (tp + fp); }
  double recall() const { return tp + fn == 0 ? 1.0 : double(tp) / (tp + fn); }
  double f1() const {
    double p = precision(), r = recall();
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }
};

template <typename Repeated>
std::set<std::string> NamesOf(const Repeated& items) {
  std::set<std::string> out;
  for (const auto& i : items) out.insert(i.name());
  return out;
}

std::set<std::string> Labels(const nlohmann::json& j) {
  std::set<std::string> out;
  for (const auto& v : j) out.insert(v.get<std::string>());
  return out;
}

void Score(const std::set<std::string>& got, const std::set<std::string>& want, Counts& c,
           std::vector<std::string>& misses, std::vector<std::string>& extras) {
  for (const auto& g : got) (want.count(g) ? c.tp : c.fp)++, want.count(g) ? void() : extras.push_back(g);
  for (const auto& w : want) {
    if (!got.count(w)) {
      ++c.fn;
      misses.push_back(w);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string path, gazetteer_dir = SA_SOURCE_DIR "/data/gazetteer", floors;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--gazetteer=", 0) == 0) gazetteer_dir = arg.substr(12);
    else if (arg.rfind("--min_f1=", 0) == 0) floors = arg.substr(9);
    else if (arg == "--verbose") verbose = true;
    else path = arg;
  }
  if (path.empty()) {
    std::fprintf(stderr, "usage: extract_eval ARTICLES.jsonl [--gazetteer=DIR] [--verbose] [--min_f1=field:x,...]\n");
    return 2;
  }
  auto g = sa::extract::Gazetteer::LoadFromDirectory(gazetteer_dir);
  if (!g.ok()) {
    std::fprintf(stderr, "extract_eval: %s\n", std::string(g.status().message()).c_str());
    return 2;
  }
  sa::extract::EventExtractor extractor(std::make_shared<sa::extract::Gazetteer>(std::move(*g)));
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "extract_eval: cannot open %s\n", path.c_str());
    return 2;
  }
  const char* kFields[] = {"participants", "places", "organisations", "topics"};
  std::map<std::string, Counts> counts;
  Counts summit;
  int articles = 0, type_right = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) {
      std::fprintf(stderr, "extract_eval: bad JSON line %d\n", articles + 1);
      return 2;
    }
    summit_alerts::v1::Article article;
    article.set_title(j["title"].get<std::string>());
    article.set_body(j["body"].get<std::string>());
    absl::Time published;
    std::string err;
    if (absl::ParseTime(absl::RFC3339_full, j["published_at"].get<std::string>(), &published, &err)) {
      *article.mutable_published_at() =
          google::protobuf::util::TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(published));
    }
    summit_alerts::v1::Event e = extractor.Extract(article, published);
    const nlohmann::json& labels = j["labels"];
    ++articles;
    bool type_ok = e.type() == labels["type"].get<std::string>();
    type_right += type_ok;
    std::map<std::string, std::set<std::string>> got = {
        {"participants", NamesOf(e.participants())}, {"places", NamesOf(e.places())},
        {"organisations", NamesOf(e.organisations())}, {"topics", NamesOf(e.topics())}};
    for (const char* field : kFields) {
      std::vector<std::string> misses, extras;
      Score(got[field], Labels(labels[field]), counts[field], misses, extras);
      if (verbose && (!misses.empty() || !extras.empty())) {
        std::printf("%s %s: missed [", j["id"].get<std::string>().c_str(), field);
        for (auto& m : misses) std::printf("%s; ", m.c_str());
        std::printf("] extra [");
        for (auto& x : extras) std::printf("%s; ", x.c_str());
        std::printf("]\n");
      }
    }
    if (verbose && !type_ok) {
      std::printf("%s type: got %s, want %s\n", j["id"].get<std::string>().c_str(), e.type().c_str(),
                  labels["type"].get<std::string>().c_str());
    }
    bool predicted = e.relevance() >= 0.5, wanted = labels["summit_related"].get<bool>();
    if (predicted && wanted) ++summit.tp;
    else if (predicted) ++summit.fp;
    else if (wanted) ++summit.fn;
    if (verbose && predicted != wanted) {
      std::printf("%s summit-related: relevance %.2f, want %s\n", j["id"].get<std::string>().c_str(),
                  e.relevance(), wanted ? "yes" : "no");
    }
  }
  std::printf("%d articles (%s)\n\n| field | precision | recall | F1 |\n|---|---|---|---|\n", articles, path.c_str());
  for (const char* field : kFields) {
    const Counts& c = counts[field];
    std::printf("| %s | %.2f | %.2f | %.2f |\n", field, c.precision(), c.recall(), c.f1());
  }
  std::printf("| summit-related (relevance >= 0.5) | %.2f | %.2f | %.2f |\n", summit.precision(),
              summit.recall(), summit.f1());
  std::printf("\nevent type accuracy: %.2f (%d/%d)\n", articles ? double(type_right) / articles : 0.0,
              type_right, articles);

  int rc = 0;
  for (absl::string_view floor : absl::StrSplit(floors, ',', absl::SkipEmpty())) {
    std::vector<std::string> kv = absl::StrSplit(floor, ':');
    double min = 0;
    if (kv.size() != 2 || !absl::SimpleAtod(kv[1], &min)) {
      std::fprintf(stderr, "extract_eval: bad floor '%s'\n", std::string(floor).c_str());
      return 2;
    }
    double value = kv[0] == "type" ? (articles ? double(type_right) / articles : 0.0)
                   : kv[0] == "summit" ? summit.f1()
                                       : counts[kv[0]].f1();
    if (value < min) {
      std::fprintf(stderr, "extract_eval: %s F1 %.2f is below the floor %.2f\n", kv[0].c_str(), value, min);
      rc = 1;
    }
  }
  return rc;
}
