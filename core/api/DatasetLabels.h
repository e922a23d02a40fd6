#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace resnest {

// Class names, display colours and COCO category ids of the datasets the bundled heads are trained on.
// Names come from resources/classes/<dataset>.txt in the dataset's official index order, palettes from
// resources/palettes/<dataset>.txt ("r g b" per line) or are computed (VOC's bit-interleaving colormap,
// a golden-angle hue sequence for COCO detection, ImageNet and unknown datasets).
class DatasetLabels {
public:
    // "coco" (torchvision's 91 entries: background, the 80 classes and "N/A" at the unused COCO ids),
    // "coco80" (the 80 contiguous classes of mmdetection / detectron2), "voc" (21 with background),
    // "cityscapes" (19 train ids), "ade20k" (150), "coco-stuff" (171, the 164k version), "imagenet".
    // Case, '_' vs '-' and a few aliases ("coco91", "pascal-voc", "ade", "cocostuff") are accepted.
    // Throws std::invalid_argument for an unknown name, std::runtime_error when a bundled file is missing.
    static DatasetLabels forDataset(const std::string& dataset);

    // Picks the labels for a head with `numClasses` outputs. `hint` (a dataset name, or a model / checkpoint
    // name such as "deeplabv3_resnest50_ade") wins when its dataset has that many classes; otherwise the
    // count decides: 91 coco, 81 coco80 behind a background class (converted mmdetection / detectron2
    // detectors), 80 coco80, 21 voc, 19 cityscapes, 150 ade20k, 171 coco-stuff, 1000 imagenet; any other
    // count gives generic "class N" names.
    static DatasetLabels guess(int numClasses, const std::string& hint = {});

    // A head's labels: its model card's foreground class names behind a background class when they account
    // for all but class 0, else guess(numClasses, hint).
    static DatasetLabels forHead(int numClasses, const std::vector<std::string>& cardClasses,
                                 const std::string& hint);

    // "class 0" ... "class N-1" with generated colours; dataset() is "generic".
    static DatasetLabels generic(int numClasses);
    // Arbitrary names (a model's own class list) with generated colours; dataset() is "custom".
    static DatasetLabels fromNames(std::vector<std::string> names);
    // A user's label file and, if palettePath is not empty, its palette ("r g b" per line, at least one
    // colour per name). dataset() is "custom". Throws std::runtime_error naming the file that is unusable.
    static DatasetLabels fromFiles(const std::string& namesPath, const std::string& palettePath = {});

    static std::vector<std::string> knownDatasets();

    // The same labels with "__background__" (black, no COCO id) prepended at index 0, for heads whose
    // class 0 is the background but whose dataset list has none (coco80 in the torchvision layout).
    DatasetLabels withBackground() const;

    const std::string& dataset() const { return dataset_; }
    const std::vector<std::string>& names() const { return names_; }
    int size() const { return static_cast<int>(names_.size()); }
    // "class N" for an index outside names().
    std::string name(int index) const;
    // BGR. Indices outside the palette get the generated colour of that index, so any label draws.
    cv::Vec3b color(int index) const;
    // BGR, one per name.
    const std::vector<cv::Vec3b>& palette() const { return palette_; }

    bool isCoco() const { return !cocoIds_.empty(); }
    // The real COCO category id (1..90 with gaps) for the coco / coco80 variants; -1 for the background,
    // the "N/A" placeholders, an index out of range, or a non-COCO dataset.
    int cocoCategoryId(int index) const;

    // VOC / Cityscapes-scripts colormap: bits of the index interleaved into the high bits of r, g, b. BGR.
    static cv::Vec3b vocColor(int index);
    // Deterministic, well-separated colour for any index (golden-angle hue steps). BGR.
    static cv::Vec3b generatedColor(int index);

private:
    std::string dataset_;
    std::vector<std::string> names_;
    std::vector<cv::Vec3b> palette_;
    std::vector<int> cocoIds_; // empty unless a COCO variant; -1 where there is no category
};

} // namespace resnest
