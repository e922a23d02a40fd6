#include "core/pipeline/ModelCard.h"

#include "core/inference/Predictor.h"
#include "core/io/CheckpointReader.h"
#include "core/io/SafetensorsWriter.h"
#include "core/models/StateDictLoader.h"
#include "core/pipeline/DetectionModel.h"
#include "core/pipeline/SegmentationModel.h"
#include "core/pipeline/TaskModelLoader.h"
#include "core/training/DemoRecipe.h"

#include <filesystem>
#include <gtest/gtest.h>

namespace resnest {
namespace {

std::string tempPath(const std::string& name) {
    return (std::filesystem::temp_directory_path() / ("card-test-" + name)).string();
}

TEST(ModelCard, RoundTripsThroughSafetensorsMetadata) {
    ModelCard card = training::DemoRecipe::card("detect");
    card.trainedWith = "resnest-train detect --seed 1";
    card.metrics["heldout_mAP@0.5"] = 0.9;
    const std::string path = tempPath("roundtrip.safetensors");
    io::SafetensorsWriter::write(path, {{"x", torch::zeros({2})}}, card.toMetadata());
    const io::Checkpoint ckpt = io::CheckpointReader::read(path);
    const std::optional<ModelCard> back = ModelCard::fromMetadata(ckpt.metadata);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->task, "detect");
    EXPECT_EQ(back->dataset, "digits");
    EXPECT_EQ(back->classes.size(), 10u);
    EXPECT_EQ(back->trainedWith, card.trainedWith);
    EXPECT_DOUBLE_EQ(back->metrics.at("heldout_mAP@0.5"), 0.9);
    ASSERT_TRUE(back->detector && back->body);
    EXPECT_EQ(back->detector->anchorSizes, card.detector->anchorSizes);
    EXPECT_EQ(back->detector->minSize, card.detector->minSize);
    EXPECT_EQ(back->body->cardinality, 2);
    EXPECT_EQ(back->body->basePlanes, 16);
    std::filesystem::remove(path);
}

TEST(ModelCard, NoCardIsNotAnError) {
    EXPECT_FALSE(ModelCard::fromMetadata({}).has_value());
    EXPECT_FALSE(ModelCard::fromMetadata({{"format", "pt"}}).has_value());
}

TEST(ModelCard, HostileCardsAreRefusedWithTheField) {
    auto message = [](const std::string& json) {
        try {
            ModelCard::fromMetadata({{ModelCard::kKey, json}});
        } catch (const std::runtime_error& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(message("{not json").find("not valid JSON"), std::string::npos);
    EXPECT_NE(message("[1,2]").find("not a JSON object"), std::string::npos);
    EXPECT_NE(message(R"({"task": "dance"})").find("unknown task"), std::string::npos);
    EXPECT_NE(message(R"({"body": {"radix": "two"}})").find("body.radix"), std::string::npos);
    EXPECT_NE(message(R"({"body": {"radix": 0}})").find("body"), std::string::npos);
    EXPECT_NE(message(R"({"detector": {"min_size": 100000000}})").find("min_size"), std::string::npos);
    EXPECT_NE(message(R"({"detector": {"anchor_sizes": [1, 2]}})").find("anchor_sizes"), std::string::npos);
    EXPECT_NE(message(R"({"segmenter": {"aspp_rates": [0, 1, 2]}})").find("aspp_rates"), std::string::npos);
    EXPECT_NE(message(R"({"segmenter": {"input_short_side": -5}})").find("input_short_side"),
              std::string::npos);
    EXPECT_NE(message(R"({"segmenter": {"input_short_side": 4097}})").find("input_short_side"),
              std::string::npos);
    EXPECT_NE(message(R"({"segmenter": {"input_long_side": -1}})").find("input_long_side"),
              std::string::npos);
    EXPECT_NE(message(R"({"segmenter": {"input_long_side": 5000}})").find("input_long_side"),
              std::string::npos);
}

// The card settles what the shapes cannot: avd placement and the input size of a custom body.
TEST(ModelCard, ClassifierLoaderTakesTheBodyAndNamesFromTheCard) {
    ResNeStConfig body = training::DemoRecipe::classifierBody();
    torch::manual_seed(3);
    ResNeSt model(body);
    ModelCard card = training::DemoRecipe::card("classify");
    const std::string path = tempPath("classifier.safetensors");
    io::SafetensorsWriter::write(path, StateDictLoader::stateDict(*model), card.toMetadata());

    ModelSpec spec;
    spec.weights = path;
    auto classifier = Predictor::load(spec);
    EXPECT_EQ(classifier->info().architecture, "resnest14d-digits");
    EXPECT_EQ(classifier->info().dataset, "digits");
    EXPECT_NE(classifier->info().description.find("digits"), std::string::npos);
    EXPECT_EQ(classifier->labels().name(0), "0");
    EXPECT_EQ(classifier->inputSize(), 64);
    std::filesystem::remove(path);
}

// A classifier fine-tuned dilated must run dilated: the output stride does not show in the weights' shapes.
TEST(ModelCard, ClassifierLoaderTakesTheOutputStrideFromTheCard) {
    ResNeStConfig body = training::DemoRecipe::classifierBody();
    torch::manual_seed(4);
    ResNeSt model(body);
    ModelCard card = training::DemoRecipe::card("classify");
    card.body->outputStride = 16;
    const std::string path = tempPath("dilated.safetensors");
    io::SafetensorsWriter::write(path, StateDictLoader::stateDict(*model), card.toMetadata());
    ModelSpec spec;
    spec.weights = path;
    EXPECT_EQ(TaskModelLoader::load(spec)->body().config().outputStride, 16);
    spec.outputStride = 8; // --output-stride still decides when given
    EXPECT_EQ(TaskModelLoader::load(spec)->body().config().outputStride, 8);

    card.body->outputStride = 32;
    io::SafetensorsWriter::write(path, StateDictLoader::stateDict(*model), card.toMetadata());
    spec.outputStride = 0;
    EXPECT_EQ(TaskModelLoader::load(spec)->body().config().outputStride, 32);
    std::filesystem::remove(path);
}

// The segmenter's twin: its card's stride, else the 8 every upstream segmentation checkpoint was trained at.
TEST(ModelCard, SegmenterLoaderTakesTheOutputStrideFromTheCard) {
    torch::manual_seed(4);
    DeepLabV3 model(training::DemoRecipe::segmenter());
    ModelCard card = training::DemoRecipe::card("segment");
    card.body->outputStride = 16;
    const std::string path = tempPath("dilated-segmenter.safetensors");
    io::SafetensorsWriter::write(path, StateDictLoader::stateDict(*model), card.toMetadata());
    ModelSpec spec;
    spec.weights = path;
    EXPECT_EQ(TaskModelLoader::load(spec)->body().config().outputStride, 16);
    spec.outputStride = 32; // --output-stride still decides when given
    EXPECT_EQ(TaskModelLoader::load(spec)->body().config().outputStride, 32);

    io::SafetensorsWriter::write(path, StateDictLoader::stateDict(*model), {}); // no card
    spec.outputStride = 0;
    EXPECT_EQ(TaskModelLoader::load(spec)->body().config().outputStride, 8);
    std::filesystem::remove(path);
}

TEST(ModelCard, ABodyThatContradictsTheWeightsIsRefused) {
    ResNeStConfig body = training::DemoRecipe::classifierBody();
    ResNeSt model(body);
    ModelCard card = training::DemoRecipe::card("classify");
    card.body->cardinality = 1; // the weights were made with 2
    const std::string path = tempPath("contradiction.safetensors");
    io::SafetensorsWriter::write(path, StateDictLoader::stateDict(*model), card.toMetadata());
    ModelSpec spec;
    spec.weights = path;
    EXPECT_THROW(TaskModelLoader::load(spec), std::runtime_error);
    std::filesystem::remove(path);
}

TEST(ModelCard, DetectorLoaderTakesAnchorsAndResizeFromTheCard) {
    const DetectorConfig config = training::DemoRecipe::detector();
    FasterRCNN model(config);
    const std::string path = tempPath("detector.safetensors");
    io::SafetensorsWriter::write(path, StateDictLoader::stateDict(*model),
                                 training::DemoRecipe::card("detect").toMetadata());
    ModelSpec spec;
    spec.weights = path;
    auto loaded = TaskModelLoader::load(spec);
    const DetectionModel& d = loaded->as<DetectionModel>();
    EXPECT_EQ(d.config().minSize, 256);
    EXPECT_EQ(d.config().anchorSizes, config.anchorSizes);
    EXPECT_EQ(d.config().fpnChannels, 64);
    EXPECT_EQ(d.config().backbone.name, "resnest14d-digits");
    EXPECT_EQ(d.info().dataset, "digits");
    auto facade = Predictor::load(spec);
    EXPECT_EQ(facade->labels().name(0), "__background__");
    EXPECT_EQ(facade->labels().name(10), "9");
    std::filesystem::remove(path);
}

TEST(ModelCard, SegmenterLoaderTakesAsppRatesFromTheCard) {
    const SegmenterConfig config = training::DemoRecipe::segmenter();
    torch::manual_seed(3);
    DeepLabV3 model(config);
    model->eval();
    const std::string path = tempPath("segmenter.safetensors");
    io::SafetensorsWriter::write(path, StateDictLoader::stateDict(*model),
                                 training::DemoRecipe::card("segment").toMetadata());
    ModelSpec spec;
    spec.weights = path;
    auto taskModel = TaskModelLoader::load(spec);
    const SegmentationModel& s = taskModel->as<SegmentationModel>();
    EXPECT_EQ(s.config().asppRates, config.asppRates);
    EXPECT_EQ(s.config().asppChannels, 64);
    EXPECT_EQ(s.config().dataset, "digits");
    // The DeepLabV3+ structure is read off the tensors: the loaded (BatchNorm-folded) model computes what the
    // saved one does.
    EXPECT_TRUE(s.config().plus);
    EXPECT_EQ(s.config().lowLevelChannels, config.lowLevelChannels);
    EXPECT_EQ(s.config().separableBottleneck, config.separableBottleneck);
    torch::NoGradGuard noGrad;
    const torch::Tensor x = torch::randn({1, 3, 72, 88});
    const torch::Tensor saved = model->forward(x).logits, loaded = s.network()->forward(x).logits;
    ASSERT_EQ(loaded.sizes(), saved.sizes());
    EXPECT_LT((loaded - saved).abs().max().item<double>(), 1e-4 * (1.0 + saved.abs().max().item<double>()));
    std::filesystem::remove(path);
}

// The demo segmenter (seeded random weights) written with a card that names `shortSide` and `longSide`, then
// loaded as the app loads it.
std::unique_ptr<Predictor> segmenterWithInputSize(const std::string& path, int shortSide, int longSide) {
    torch::manual_seed(4);
    DeepLabV3 model(training::DemoRecipe::segmenter());
    model->eval();
    ModelCard card = training::DemoRecipe::card("segment");
    card.segmenter->inputShortSide = shortSide;
    card.segmenter->inputLongSide = longSide;
    io::SafetensorsWriter::write(path, StateDictLoader::stateDict(*model), card.toMetadata());
    ModelSpec spec;
    spec.weights = path;
    return Predictor::load(spec);
}

// The rows of the last block's captured maps (stride 8 on the network's input: the size the network ran at)
// when `shortSide` is asked for; the mask stays at the image's size.
int mapRowsAt(Predictor& predictor, const cv::Mat& image, int shortSide) {
    PredictOptions options;
    options.captureAttention = true;
    options.shortSide = shortSide;
    const Prediction p = predictor.predict(image, options);
    EXPECT_EQ(p.segmentation.labels.size(), image.size());
    EXPECT_FALSE(p.blocks.empty());
    return p.blocks.empty() ? 0 : p.blocks.back().radixMaps.front().rows;
}

// The card's input size is what the model sees unless the caller names one.
TEST(ModelCard, SegmenterInputShortSideIsTheDefaultInput) {
    const std::string path = tempPath("segmenter-input.safetensors");
    auto predictor = segmenterWithInputSize(path, 96, 0);
    EXPECT_EQ(predictor->info().inputShortSide, 96);
    const cv::Mat image(192, 256, CV_8UC3, cv::Scalar(90, 120, 150));
    EXPECT_EQ(mapRowsAt(*predictor, image, PredictOptions::kModelShortSide), 96 / 8);
    EXPECT_EQ(mapRowsAt(*predictor, image, 0), 192 / 8);
    EXPECT_EQ(mapRowsAt(*predictor, image, 64), 64 / 8);
    std::filesystem::remove(path);
}

// A longer-side size (PyTorch-Encoding's test scale): the 256-wide image is halved; a size the caller names
// still replaces it.
TEST(ModelCard, SegmenterInputLongSideScalesTheLongerSide) {
    const std::string path = tempPath("segmenter-long-side.safetensors");
    auto predictor = segmenterWithInputSize(path, 0, 128);
    EXPECT_EQ(predictor->info().inputShortSide, 0);
    EXPECT_EQ(predictor->info().inputLongSide, 128);
    const cv::Mat image(192, 256, CV_8UC3, cv::Scalar(90, 120, 150));
    EXPECT_EQ(mapRowsAt(*predictor, image, PredictOptions::kModelShortSide), 96 / 8);
    EXPECT_EQ(mapRowsAt(*predictor, image, 0), 192 / 8);
    EXPECT_EQ(mapRowsAt(*predictor, image, 160), 160 / 8);
    std::filesystem::remove(path);
}

} // namespace
} // namespace resnest
