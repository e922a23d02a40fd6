// Runs SegmentationMetrics / DetectionMetrics on the cases written by check_metrics.py:
//   evaluation_metrics_tool CASES.json OUT.json
// CASES.json: {"cases": [{"name": str,
//   "segmentation": {"num_classes": K, "ignore_label": L, "dtype": "u8" | "s32",
//                    "images": [{"height": H, "width": W, "pred": [H*W ints], "truth": [H*W ints]}]},
//   "detection": {"num_classes": K, "iou_threshold": t,
//                 "images": [{"detections": [[x1, y1, x2, y2, score, label]], "truth": [[x1, y1, x2, y2,
//                 label]]}]}
// }]}  (either part may be absent). Coordinates and scores are read as float.
// OUT.json: {"cases": [{"segmentation": {"confusion": [K*K], "iou": [K], "mean_iou": x, "pixel_accuracy": x},
//                       "detection": {"ap": [K], "map": x, "recall": [K]}}]}, NaN written as null.
#include "core/evaluation/DetectionMetrics.h"
#include "core/evaluation/SegmentationMetrics.h"

#include <cmath>
#include <exception>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

using nlohmann::json;
using namespace resnest::evaluation;

namespace {

json number(double v) {
    return std::isnan(v) ? json(nullptr) : json(v);
}

json numbers(const std::vector<double>& v) {
    json out = json::array();
    for (double x : v)
        out.push_back(number(x));
    return out;
}

cv::Mat labelImage(const json& values, int height, int width, int type) {
    if (values.size() != static_cast<size_t>(height) * static_cast<size_t>(width))
        throw std::runtime_error("label list does not hold height*width values");
    cv::Mat m(height, width, type);
    size_t i = 0;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x, ++i) {
            const int v = values[i].get<int>();
            if (type == CV_8UC1)
                m.at<uint8_t>(y, x) = static_cast<uint8_t>(v);
            else
                m.at<int32_t>(y, x) = v;
        }
    return m;
}

json segmentation(const json& c) {
    SegmentationMetrics metrics(c.at("num_classes").get<int>(), c.value("ignore_label", 255));
    const int type = c.value("dtype", std::string("u8")) == "s32" ? CV_32SC1 : CV_8UC1;
    for (const json& image : c.at("images")) {
        const int h = image.at("height").get<int>(), w = image.at("width").get<int>();
        metrics.add(labelImage(image.at("pred"), h, w, type), labelImage(image.at("truth"), h, w, type));
    }
    return {{"confusion", metrics.confusion()},
            {"iou", numbers(metrics.iou())},
            {"mean_iou", number(metrics.meanIoU())},
            {"pixel_accuracy", number(metrics.pixelAccuracy())}};
}

json detection(const json& c) {
    DetectionMetrics metrics(c.at("num_classes").get<int>(), c.value("iou_threshold", 0.5));
    for (const json& image : c.at("images")) {
        std::vector<ScoredBox> dets;
        std::vector<TruthBox> gts;
        for (const json& d : image.at("detections"))
            dets.push_back({d.at(0).get<float>(), d.at(1).get<float>(), d.at(2).get<float>(),
                            d.at(3).get<float>(), d.at(4).get<float>(), d.at(5).get<int>()});
        for (const json& g : image.at("truth"))
            gts.push_back({g.at(0).get<float>(), g.at(1).get<float>(), g.at(2).get<float>(),
                           g.at(3).get<float>(), g.at(4).get<int>()});
        metrics.add(dets, gts);
    }
    return {{"ap", numbers(metrics.averagePrecision())},
            {"map", number(metrics.meanAP())},
            {"recall", numbers(metrics.recall())}};
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: " << argv[0] << " CASES.json OUT.json\n";
        return 2;
    }
    try {
        std::ifstream in(argv[1]);
        if (!in)
            throw std::runtime_error(std::string("cannot open ") + argv[1]);
        const json cases = json::parse(in);
        json out = {{"cases", json::array()}};
        for (const json& c : cases.at("cases")) {
            json r = json::object();
            if (c.contains("segmentation"))
                r["segmentation"] = segmentation(c.at("segmentation"));
            if (c.contains("detection"))
                r["detection"] = detection(c.at("detection"));
            out["cases"].push_back(std::move(r));
        }
        std::ofstream o(argv[2]);
        o << out.dump() << '\n';
        if (!o)
            throw std::runtime_error(std::string("cannot write ") + argv[2]);
    } catch (const std::exception& e) {
        std::cerr << "evaluation_metrics_tool: " << e.what() << '\n';
        return 2;
    }
    return 0;
}
