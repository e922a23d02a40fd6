#include "ui/widgets/AttentionPanel.h"

#include "ui/widgets/AttentionPlots.h"
#include "ui/widgets/AttentionTimeline.h"
#include "ui/widgets/BlockTree.h"
#include "ui/widgets/RadixMultiples.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardItemModel>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <map>

namespace resnest {

namespace {

// The first detection (so the best scoring, results being by decreasing score) whose box holds (x, y); -1
// none.
int detectionAt(const DetectionResult& result, double x, double y) {
    for (size_t i = 0; i < result.detections.size(); ++i) {
        const auto& b = result.detections[i].box;
        if (x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3])
            return int(i);
    }
    return -1;
}

QString percent(double p) {
    return QStringLiteral("%1%").arg(100.0 * p, 0, 'f', 1);
}

std::map<int, double> classShares(const SegmentationResult& s) {
    std::map<int, double> shares;
    if (s.labels.empty())
        return shares;
    for (int y = 0; y < s.labels.rows; ++y) {
        const int* row = s.labels.ptr<int>(y);
        for (int x = 0; x < s.labels.cols; ++x)
            shares[row[x]] += 1.0;
    }
    for (auto& [c, v] : shares)
        v /= double(s.labels.total());
    return shares;
}

int confidentBoxes(const DetectionResult& d) {
    return int(std::count_if(d.detections.begin(), d.detections.end(),
                             [](const Detection& x) { return x.score >= 0.5f; }));
}

} // namespace

AttentionPanel::AttentionPanel(QWidget* parent) : QWidget(parent) {
    capture_ = new QCheckBox(tr("capture attention"));
    capture_->setChecked(true);
    capture_->setToolTip(tr("Keep every block's attention and radix maps with each result (costs a little "
                            "time per frame)"));
    showMap_ = new QCheckBox(tr("draw the map over the image"));
    liveEvery_ = new QComboBox;
    liveEvery_->addItem(tr("every frame"), 1);
    liveEvery_->addItem(tr("every 5th frame"), 5);
    liveEvery_->addItem(tr("every 25th frame"), 25);
    liveEvery_->addItem(tr("only when paused"), 0);
    liveEvery_->setToolTip(tr("Video and camera: which frames are captured (and explained). The map of the "
                              "last captured frame stays over the frames in between."));
    tree_ = new BlockTree;
    tree_->setMinimumHeight(140);
    kind_ = new QComboBox;
    kind_->addItem(tr("radix map"), int(AttentionMapKind::Radix));
    kind_->addItem(tr("radix minus the others"), int(AttentionMapKind::Difference));
    kind_->addItem(tr("dominant radix"), int(AttentionMapKind::Dominant));
    kind_->addItem(tr("class-conditioned (gradient)"), int(AttentionMapKind::ClassConditioned));
    kind_->setToolTip(
        tr("Class-conditioned: where each radix raises the explained class's score (sum over "
           "channels of gradient x attention x split, positive part). Needs \"explain class\"."));
    group_ = new QComboBox;
    group_->addItem(tr("all groups"), -1);
    radix_ = new QSpinBox;
    opacity_ = new QSlider(Qt::Horizontal);
    opacity_->setRange(0, 100);
    opacity_->setValue(55);
    colormap_ = new QComboBox;
    colormap_->addItems({QStringLiteral("viridis"), QStringLiteral("inferno"), QStringLiteral("turbo"),
                         QStringLiteral("gray")});
    perMapScale_ = new QCheckBox(tr("own scale per map"));
    perMapScale_->setToolTip(tr("Off: one colour scale for every radix of the block, so their maps compare "
                                "directly. On: each map spans its own range."));

    explain_ = new QCheckBox(tr("explain class"));
    explain_->setToolTip(tr("Compute the gradient of a class's score (a segmenter: its mean logit over the "
                            "pixels predicted as it) with respect to every block's attention. Runs the "
                            "network unfolded with autograd: slower, on demand."));
    explainClass_ = new QSpinBox;
    explainClass_->setRange(AttentionRequest::kExplainPredicted, 0);
    explainClass_->setSpecialValueText(tr("predicted"));
    explainClass_->setValue(AttentionRequest::kExplainPredicted);
    explainBox_ = new QSpinBox;
    explainBox_->setRange(AttentionRequest::kExplainNone, 0);
    explainBox_->setPrefix(tr("box #"));
    explainBox_->setSpecialValueText(tr("best box of the class"));
    explainBox_->setValue(AttentionRequest::kExplainNone);
    explainBox_->setToolTip(tr("The detection explained, by decreasing score (#0 the best). Or click a box "
                               "on the image."));
    explainBox_->setVisible(false);
    mode_ = new QComboBox;
    mode_->addItem(tr("uniform over radix"), int(AttentionOverride::Kind::Uniform));
    mode_->addItem(tr("one-hot on radix"), int(AttentionOverride::Kind::OneHot));
    mode_->addItem(tr("zero cardinal group"), int(AttentionOverride::Kind::ZeroGroup));
    modeIndex_ = new QSpinBox;
    modeIndex_->setRange(0, 0);
    applyOverride_ = new QPushButton(tr("Override block"));
    applyOverride_->setToolTip(tr("Replace the chosen block's attention in the next predictions"));
    clearOverrides_ = new QPushButton(tr("Clear"));
    overrideList_ = new QLabel(tr("no overrides"));
    overrideList_->setWordWrap(true);
    comparison_ = new QLabel;
    comparison_->setWordWrap(true);
    comparison_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    probe_ = new QLabel(tr("Hover the image to probe the maps"));
    probe_->setWordWrap(true);
    sortChannels_ = new QCheckBox(tr("sort channels by weight"));
    sortChannels_->setChecked(true);
    plots_ = new AttentionPlots;
    timeline_ = new AttentionTimeline;
    plots_->addTab(timeline_, tr("Timeline"));
    pinProbe_ = new QCheckBox(tr("pin"));
    pinProbe_->setToolTip(tr("Keep reading the maps at the last probed pixel as new frames arrive"));
    multiples_ = new RadixMultiples;

    // Two columns of short rows: the whole panel fits a 720-pixel-high screen beside the block tree.
    auto* mapBox = new QGroupBox(tr("Map"));
    auto* mapGrid = new QGridLayout(mapBox);
    mapGrid->addWidget(showMap_, 0, 0, 1, 4);
    mapGrid->addWidget(new QLabel(tr("Kind")), 1, 0);
    mapGrid->addWidget(kind_, 1, 1, 1, 3);
    mapGrid->addWidget(new QLabel(tr("Radix")), 2, 0);
    mapGrid->addWidget(radix_, 2, 1);
    mapGrid->addWidget(new QLabel(tr("Group")), 2, 2);
    mapGrid->addWidget(group_, 2, 3);
    mapGrid->addWidget(new QLabel(tr("Colours")), 3, 0);
    mapGrid->addWidget(colormap_, 3, 1);
    mapGrid->addWidget(perMapScale_, 3, 2, 1, 2);
    mapGrid->addWidget(new QLabel(tr("Opacity")), 4, 0);
    mapGrid->addWidget(opacity_, 4, 1, 1, 3);
    mapGrid->setColumnStretch(1, 1);
    mapGrid->setColumnStretch(3, 1);

    auto* interveneBox = new QGroupBox(tr("Explain and intervene"));
    auto* interveneGrid = new QGridLayout(interveneBox);
    interveneGrid->addWidget(explain_, 0, 0);
    interveneGrid->addWidget(explainClass_, 0, 1, 1, 2);
    interveneGrid->addWidget(explainBox_, 1, 0, 1, 3);
    interveneGrid->addWidget(mode_, 2, 0, 1, 2);
    interveneGrid->addWidget(modeIndex_, 2, 2);
    interveneGrid->addWidget(applyOverride_, 3, 0, 1, 2);
    interveneGrid->addWidget(clearOverrides_, 3, 2);
    interveneGrid->addWidget(overrideList_, 4, 0, 1, 3);
    interveneGrid->addWidget(comparison_, 5, 0, 1, 3);
    interveneGrid->setColumnStretch(1, 1);

    auto* content = new QWidget;
    auto* layout = new QVBoxLayout(content);
    auto* captureRow = new QHBoxLayout;
    captureRow->addWidget(capture_);
    captureRow->addWidget(new QLabel(tr("live:")));
    captureRow->addWidget(liveEvery_, 1);
    layout->addLayout(captureRow);
    layout->addWidget(tree_, 1);
    layout->addWidget(mapBox);
    layout->addWidget(interveneBox);
    // Only a screen smaller than the panel needs it; the wheel over a control does not scroll it
    // (WheelGuard).
    auto* scroll = new QScrollArea;
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    // The workspace: what is looked at rather than set, given the width under the image.
    workspace_ = new QSplitter(Qt::Horizontal);
    workspace_->setObjectName(QStringLiteral("attentionWorkspace"));
    auto* mapsColumn = new QWidget;
    auto* mapsLayout = new QVBoxLayout(mapsColumn);
    mapsLayout->setContentsMargins(4, 2, 2, 2);
    mapsLayout->addWidget(multiples_, 1);
    auto* probeRow = new QHBoxLayout;
    probeRow->addWidget(probe_, 1);
    probeRow->addWidget(pinProbe_);
    mapsLayout->addLayout(probeRow);
    auto* plotsColumn = new QWidget;
    auto* plotsLayout = new QVBoxLayout(plotsColumn);
    plotsLayout->setContentsMargins(2, 2, 4, 2);
    plotsLayout->addWidget(plots_, 1);
    plotsLayout->addWidget(sortChannels_);
    workspace_->addWidget(mapsColumn);
    workspace_->addWidget(plotsColumn);
    workspace_->setStretchFactor(0, 1);
    workspace_->setStretchFactor(1, 1);
    workspace_->setChildrenCollapsible(false);

    auto mapOptionChanged = [this] {
        probeMapsValid_ = false;
        refreshProbe();
        Q_EMIT mapChanged();
    };
    connect(capture_, &QCheckBox::toggled, this, &AttentionPanel::captureChanged);
    connect(liveEvery_, &QComboBox::currentIndexChanged, this,
            [this] { Q_EMIT liveCaptureChanged(liveCaptureEvery()); });
    connect(showMap_, &QCheckBox::toggled, this, mapOptionChanged);
    connect(tree_, &BlockTree::blockChosen, this, [this] { blockChanged(); });
    connect(kind_, &QComboBox::currentIndexChanged, this, mapOptionChanged);
    connect(group_, &QComboBox::currentIndexChanged, this, mapOptionChanged);
    connect(radix_, &QSpinBox::valueChanged, this, [this, mapOptionChanged] {
        refreshPlots();
        mapOptionChanged();
    });
    connect(opacity_, &QSlider::valueChanged, this, &AttentionPanel::mapChanged);
    connect(colormap_, &QComboBox::currentIndexChanged, this, &AttentionPanel::mapChanged);
    connect(perMapScale_, &QCheckBox::toggled, this, &AttentionPanel::mapChanged);
    connect(sortChannels_, &QCheckBox::toggled, this, [this](bool on) {
        plots_->setSortedChannels(on);
        refreshPlots();
    });
    connect(explain_, &QCheckBox::toggled, this, [this](bool on) {
        if (on && kind_->currentData().toInt() == int(AttentionMapKind::Radix))
            setMapKind(AttentionMapKind::ClassConditioned);
        // Without an explained class there is no gradient: a class-conditioned map would draw nothing.
        if (!on && kind_->currentData().toInt() == int(AttentionMapKind::ClassConditioned))
            setMapKind(AttentionMapKind::Radix);
        updateClassMapChoice();
        Q_EMIT requestChanged();
    });
    updateClassMapChoice();
    connect(explainClass_, &QSpinBox::valueChanged, this, [this] {
        if (explain_->isChecked())
            Q_EMIT requestChanged();
    });
    connect(explainBox_, &QSpinBox::valueChanged, this, [this] {
        if (explain_->isChecked())
            Q_EMIT requestChanged();
    });
    connect(mode_, &QComboBox::currentIndexChanged, this, [this] { blockChanged(); });
    connect(applyOverride_, &QPushButton::clicked, this, [this] {
        AttentionOverride o;
        o.kind = AttentionOverride::Kind(mode_->currentData().toInt());
        o.index = o.kind == AttentionOverride::Kind::Uniform ? 0 : modeIndex_->value();
        setOverride(chosenBlock(), o);
    });
    connect(clearOverrides_, &QPushButton::clicked, this, &AttentionPanel::clearOverrides);
    connect(timeline_, &AttentionTimeline::frameRequested, this, &AttentionPanel::frameRequested);
}

AttentionPanel::~AttentionPanel() {
    if (workspace_ && !workspace_->parent())
        delete workspace_.data();
}

QWidget* AttentionPanel::workspace() const {
    return workspace_.data();
}

bool AttentionPanel::captureEnabled() const {
    return capture_->isChecked();
}

void AttentionPanel::setCaptureEnabled(bool on) {
    capture_->setChecked(on);
}

int AttentionPanel::liveCaptureEvery() const {
    return liveEvery_->currentData().toInt();
}

void AttentionPanel::setLiveCaptureEvery(int n) {
    const int i = liveEvery_->findData(n);
    liveEvery_->setCurrentIndex(i >= 0 ? i : 0);
}

bool AttentionPanel::mapShown() const {
    return showMap_->isChecked();
}

void AttentionPanel::setMapShown(bool on) {
    showMap_->setChecked(on);
}

void AttentionPanel::chooseBlock(const QString& name) {
    tree_->setCurrentBlock(name);
    wantedBlock_ = tree_->currentBlock() == name ? QString() : name;
    blockChanged();
}

bool AttentionPanel::classMapOffered() const {
    auto* items = qobject_cast<QStandardItemModel*>(kind_->model());
    const int i = kind_->findData(int(AttentionMapKind::ClassConditioned));
    return items && i >= 0 && items->item(i)->isEnabled();
}

QString AttentionPanel::chosenBlock() const {
    return tree_->currentBlock();
}

void AttentionPanel::setMapKind(AttentionMapKind kind) {
    // The class-conditioned map is made of the explained class's gradient: asking for it explains one.
    if (kind == AttentionMapKind::ClassConditioned && !explain_->isChecked())
        explain_->setChecked(true);
    kind_->setCurrentIndex(kind_->findData(int(kind)));
}

AttentionMapKind AttentionPanel::mapKind() const {
    return AttentionMapKind(kind_->currentData().toInt());
}

QString AttentionPanel::colormap() const {
    return colormap_->currentText();
}

void AttentionPanel::setColormap(const QString& name) {
    const int i = colormap_->findText(name);
    if (i >= 0)
        colormap_->setCurrentIndex(i);
}

void AttentionPanel::updateClassMapChoice() {
    auto* items = qobject_cast<QStandardItemModel*>(kind_->model());
    const int i = kind_->findData(int(AttentionMapKind::ClassConditioned));
    if (!items || i < 0)
        return;
    const bool on = explain_->isChecked();
    items->item(i)->setEnabled(on);
    items->item(i)->setToolTip(on          ? QString()
                               : detector_ ? tr("Needs \"explain box\" on: the map is its score's gradient.")
                                           : tr("Needs \"explain class\" on: the map is its gradient."));
}

void AttentionPanel::setRadix(int radix) {
    radix_->setValue(radix);
}

void AttentionPanel::setExplainClass(int cls) {
    if (cls == AttentionRequest::kExplainNone) {
        explain_->setChecked(false);
        return;
    }
    {
        QSignalBlocker quiet(explainClass_);
        explainClass_->setMaximum(std::max(explainClass_->maximum(), cls));
        explainClass_->setValue(cls);
    }
    if (explain_->isChecked())
        Q_EMIT requestChanged();
    else
        explain_->setChecked(true);
}

void AttentionPanel::setExplainBox(int index) {
    {
        QSignalBlocker quiet(explainBox_);
        explainBox_->setMaximum(std::max(explainBox_->maximum(), index));
        explainBox_->setValue(std::max(int(AttentionRequest::kExplainNone), index));
    }
    if (explain_->isChecked())
        Q_EMIT requestChanged();
    else
        explain_->setChecked(true);
}

bool AttentionPanel::pickBoxAt(QPointF imagePos) {
    if (!detector_ || !explain_->isChecked() || !current_ || current_->prediction.task != ModelTask::Detect)
        return false;
    const int box = detectionAt(current_->prediction.detection, imagePos.x(), imagePos.y());
    if (box >= 0)
        setExplainBox(box);
    return box >= 0;
}

void AttentionPanel::setModelTask(ModelTask task) {
    const bool changed = detector_ != (task == ModelTask::Detect);
    detector_ = task == ModelTask::Detect;
    explain_->setText(detector_ ? tr("explain box") : tr("explain class"));
    explainBox_->setVisible(detector_);
    explainClass_->setToolTip(detector_ ? tr("The class whose best box is explained (\"predicted\": the "
                                             "best box of all), unless a box is chosen below.")
                                        : tr("The class explained (\"predicted\": the top class)."));
    updateClassMapChoice();
    // A box chosen before the detector loaded is part of the request only now.
    if (changed && explain_->isChecked())
        Q_EMIT requestChanged();
}

QStringList AttentionPanel::dropWhatDoesNotApply(const ModelSummary& model) {
    const auto applies = [&](const BlockOverride& o) {
        const bool found = std::find(model.blocks.begin(), model.blocks.end(), o.block) != model.blocks.end();
        try {
            return found && (o.mode.check(model.info.radix, model.info.cardinality), true);
        } catch (const std::invalid_argument&) {
            return false;
        }
    };
    QStringList dropped;
    std::vector<BlockOverride> kept;
    for (const BlockOverride& o : overrides_) {
        if (applies(o))
            kept.push_back(o);
        else
            dropped << QString::fromStdString(o.block + "=" + o.mode.toString());
    }
    const int cls = explainClass_->value();
    if (model.info.classes > 0 && cls >= model.info.classes) {
        QSignalBlocker quiet(explainClass_);
        explainClass_->setValue(AttentionRequest::kExplainPredicted);
        dropped << tr("explained class %1").arg(cls);
    }
    if (!dropped.isEmpty()) {
        overrides_ = std::move(kept);
        refreshOverrideList();
        Q_EMIT requestChanged();
    }
    return dropped;
}

void AttentionPanel::setOverride(const QString& block, const AttentionOverride& mode) {
    if (block.isEmpty())
        return;
    const std::string name = block.toStdString();
    overrides_.erase(std::remove_if(overrides_.begin(), overrides_.end(),
                                    [&](const BlockOverride& o) { return o.block == name; }),
                     overrides_.end());
    if (mode.active())
        overrides_.push_back({name, mode});
    refreshOverrideList();
    Q_EMIT requestChanged();
}

void AttentionPanel::clearOverrides() {
    if (overrides_.empty())
        return;
    overrides_.clear();
    refreshOverrideList();
    Q_EMIT requestChanged();
}

void AttentionPanel::refreshOverrideList() {
    QStringList items;
    for (const BlockOverride& o : overrides_)
        items << QStringLiteral("%1 = %2").arg(QString::fromStdString(o.block),
                                               QString::fromStdString(o.mode.toString()));
    overrideList_->setText(items.isEmpty() ? tr("no overrides")
                                           : tr("overrides: %1").arg(items.join(QStringLiteral(", "))));
    clearOverrides_->setEnabled(!items.isEmpty());
}

AttentionRequest AttentionPanel::attentionRequest() const {
    AttentionRequest r;
    r.overrides = overrides_;
    if (!explain_->isChecked())
        return r;
    r.explainClass = explainClass_->value();
    if (detector_)
        r.explainDetection = explainBox_->value();
    return r;
}

void AttentionPanel::showResult(const FrameResultPtr& result) {
    current_ = result;
    probeMapsValid_ = false;
    if (!result)
        return;
    const auto& blocks = result->prediction.blocks;
    const QString before = tree_->currentBlock();
    tree_->setBlocks(blocks);
    if (!wantedBlock_.isEmpty()) {
        tree_->setCurrentBlock(wantedBlock_);
        if (tree_->currentBlock() == wantedBlock_)
            wantedBlock_.clear();
    }
    const int classes = int(result->model ? result->model->labels.names().size() : 0);
    explainClass_->setMaximum(std::max(0, classes - 1));
    // Never below the chosen box: a frame with fewer boxes explains nothing instead of changing the choice.
    if (result->prediction.task == ModelTask::Detect)
        explainBox_->setMaximum(std::max(
            explainBox_->value(), std::max(0, int(result->prediction.detection.detections.size()) - 1)));
    if (tree_->currentBlock() != before)
        blockChanged();
    else
        refreshPlots();
    refreshComparison();
    if (result->live)
        timeline_->add(qint64(result->jobId), blocks);
    else
        timeline_->clear();
    timeline_->setBlock(tree_->currentBlock().toStdString());
    refreshProbe();
}

void AttentionPanel::refreshProbe() {
    // What the probe reads changed under a still cursor (or a pinned probe): read again, so that it never
    // shows one frame's, block's or model's values beside another's.
    if (probeAt_.x() >= 0 && (probeInside_ || pinProbe_->isChecked()))
        probe(probeAt_, true);
}

void AttentionPanel::setProbePinned(bool on) {
    pinProbe_->setChecked(on);
}

int AttentionPanel::blockIndex() const {
    if (!current_)
        return -1;
    const auto& blocks = current_->prediction.blocks;
    const std::string name = tree_->currentBlock().toStdString();
    for (size_t i = 0; i < blocks.size(); ++i)
        if (blocks[i].name == name)
            return int(i);
    return -1;
}

void AttentionPanel::blockChanged() {
    const int b = blockIndex();
    if (b >= 0) {
        const AttentionBlock& block = current_->prediction.blocks[size_t(b)];
        radix_->setRange(0, block.radix - 1);
        const int groups = block.groupMaps.empty() ? 1 : block.cardinality;
        if (group_->count() != groups + (groups > 1 ? 1 : 0)) {
            QSignalBlocker quiet(group_);
            group_->clear();
            group_->addItem(tr("all groups"), -1);
            if (groups > 1)
                for (int k = 0; k < groups; ++k)
                    group_->addItem(tr("group %1").arg(k), k);
        }
        group_->setEnabled(groups > 1);
        const auto kind = AttentionOverride::Kind(mode_->currentData().toInt());
        modeIndex_->setEnabled(kind != AttentionOverride::Kind::Uniform);
        modeIndex_->setRange(
            0,
            std::max(0, (kind == AttentionOverride::Kind::ZeroGroup ? block.cardinality : block.radix) - 1));
        applyOverride_->setEnabled(kind != AttentionOverride::Kind::ZeroGroup || block.cardinality > 1);
    }
    probeMapsValid_ = false;
    timeline_->setBlock(tree_->currentBlock().toStdString());
    refreshPlots();
    refreshProbe();
    // The block only matters to the drawing when a map is drawn; a redraw otherwise would show the same
    // frame twice.
    if (showMap_->isChecked())
        Q_EMIT mapChanged();
}

void AttentionPanel::refreshPlots() {
    if (!current_)
        return;
    plots_->show(current_->prediction.blocks, blockIndex(), radix_->value());
}

void AttentionPanel::refreshComparison() {
    const FrameResult& r = *current_;
    const Prediction& after = r.prediction;
    QStringList lines;
    if (after.task == ModelTask::Detect && after.detection.explainedDetection >= 0 && r.model) {
        const Detection& d = after.detection.detections[size_t(after.detection.explainedDetection)];
        lines << tr("Explained: box #%1, %2 %3")
                     .arg(after.detection.explainedDetection)
                     .arg(QString::fromStdString(r.model->labels.name(d.label)))
                     .arg(d.score, 0, 'f', 3);
    } else if (after.explainedClass >= 0 && r.model) {
        lines << tr("Explained: %1").arg(QString::fromStdString(r.model->labels.name(after.explainedClass)));
    } else if (after.task == ModelTask::Detect && explain_->isChecked()) {
        lines << tr("Explained: nothing (no such box in this frame)");
    }
    if (r.baseline) {
        const Prediction& before = *r.baseline;
        lines << tr("<b>Before → after the overrides</b>");
        if (after.task == ModelTask::Classify) {
            for (const ClassScore& s : before.classification.top) {
                if (lines.size() > 5)
                    break;
                // Fell out of the list the result keeps: say so rather than a bare dash.
                QString now = tr("below the top %1").arg(after.classification.top.size());
                for (const ClassScore& t : after.classification.top)
                    if (t.index == s.index)
                        now = percent(t.probability);
                lines << QStringLiteral("%1: %2 → %3")
                             .arg(QString::fromStdString(s.label), percent(s.probability), now);
            }
            if (!after.classification.top.empty())
                lines << tr("top class now: %1 %2")
                             .arg(QString::fromStdString(after.classification.top[0].label),
                                  percent(after.classification.top[0].probability));
        } else if (after.task == ModelTask::Segment) {
            const auto a = classShares(before.segmentation), b = classShares(after.segmentation);
            std::vector<std::pair<double, int>> changes;
            std::map<int, double> all = a;
            all.insert(b.begin(), b.end());
            for (const auto& [c, unused] : all) {
                (void)unused;
                const double x = a.count(c) ? a.at(c) : 0.0, y = b.count(c) ? b.at(c) : 0.0;
                changes.push_back({-std::abs(y - x), c});
            }
            std::sort(changes.begin(), changes.end());
            for (size_t i = 0; i < changes.size() && i < 4; ++i) {
                const int c = changes[i].second;
                lines << tr("%1 area: %2 → %3")
                             .arg(r.model ? QString::fromStdString(r.model->labels.name(c))
                                          : QString::number(c),
                                  percent(a.count(c) ? a.at(c) : 0.0), percent(b.count(c) ? b.at(c) : 0.0));
            }
        } else {
            lines << tr("boxes scoring ≥ 0.5: %1 → %2")
                         .arg(confidentBoxes(before.detection))
                         .arg(confidentBoxes(after.detection));
            if (!before.detection.detections.empty() && !after.detection.detections.empty())
                lines << tr("best score: %1 → %2")
                             .arg(before.detection.detections[0].score, 0, 'f', 3)
                             .arg(after.detection.detections[0].score, 0, 'f', 3);
        }
    }
    comparison_->setText(lines.join(QStringLiteral("<br>")));
}

QString AttentionPanel::comparisonText() const {
    return comparison_->text();
}

QString AttentionPanel::probeText() const {
    return probe_->text();
}

void AttentionPanel::showFrame(const RenderedFramePtr& frame) {
    if (frame && frame->multiplesSkipped && multiples_->count() > 0)
        return;
    multiples_->setFrame(frame);
    if (!frame || !frame->radixViews.empty())
        return;
    // Say why the space is empty.
    const bool captured = frame->result && !frame->result->prediction.blocks.empty();
    multiples_->setHint(!captureEnabled() ? tr("Attention capture is off (Attention tab).")
                        : !captured ? tr("This frame's attention was not captured (Attention tab: live).")
                        : kind_->currentData().toInt() == int(AttentionMapKind::ClassConditioned)
                            ? tr("No class-conditioned maps for this frame: nothing was explained.")
                            : tr("The chosen block has no map of this kind."));
}

void AttentionPanel::setVisibleRegion(QRectF imageRect) {
    multiples_->setVisibleRegion(imageRect);
}

void AttentionPanel::probe(QPointF imagePos, bool inside) {
    if (pinProbe_->isChecked() && probeAt_.x() >= 0 && imagePos != probeAt_)
        return; // pinned: the cursor no longer moves it
    if (inside)
        probeAt_ = imagePos;
    probeInside_ = inside;
    if (!inside || !current_ || current_->image.empty()) {
        if (pinProbe_->isChecked())
            return;
        probe_->setText(tr("Hover the image to probe the maps"));
        return;
    }
    const int x = std::clamp(int(imagePos.x()), 0, current_->image.cols - 1);
    const int y = std::clamp(int(imagePos.y()), 0, current_->image.rows - 1);
    const Prediction& p = current_->prediction;
    QString what;
    const auto name = [this](int c) {
        return current_->model ? QString::fromStdString(current_->model->labels.name(c)) : QString::number(c);
    };
    if (p.task == ModelTask::Segment && !p.segmentation.labels.empty() && x < p.segmentation.labels.cols &&
        y < p.segmentation.labels.rows) {
        what = QStringLiteral("%1 %2").arg(name(p.segmentation.labels.at<int>(y, x)),
                                           percent(p.segmentation.confidence.at<float>(y, x)));
    } else if (const int box = p.task == ModelTask::Detect ? detectionAt(p.detection, x, y) : -1; box >= 0) {
        const Detection& d = p.detection.detections[size_t(box)];
        what = QStringLiteral("%1 %2").arg(name(d.label)).arg(d.score, 0, 'f', 2);
    } else if (p.task == ModelTask::Classify && !p.classification.top.empty()) {
        what = QStringLiteral("%1 %2").arg(QString::fromStdString(p.classification.top[0].label),
                                           percent(p.classification.top[0].probability));
    }
    QStringList values;
    const int b = blockIndex();
    if (b >= 0) {
        const AttentionBlock& block = p.blocks[size_t(b)];
        if (!probeMapsValid_) {
            probeMaps_.clear();
            AttentionMapOptions o = mapOptions();
            for (int r = 0; r < block.radix; ++r) {
                o.radix = r;
                probeMaps_.push_back(PredictionRenderer::radixMapOnImage(p, current_->image.size(), o));
            }
            probeMapsValid_ = true;
        }
        for (size_t r = 0; r < probeMaps_.size(); ++r)
            if (!probeMaps_[r].empty())
                values << QStringLiteral("r%1 %2").arg(r).arg(double(probeMaps_[r].at<float>(y, x)), 0, 'g',
                                                              3);
    }
    probe_->setText(
        QStringLiteral("(%1, %2)  %3%4")
            .arg(x)
            .arg(y)
            .arg(what)
            .arg(values.isEmpty() ? QString() : QStringLiteral("  ·  ") + values.join(QStringLiteral("  "))));
}

AttentionMapOptions AttentionPanel::mapOptions() const {
    AttentionMapOptions o;
    o.show = showMap_->isChecked();
    o.block = tree_->currentBlock().toStdString();
    o.kind = AttentionMapKind(kind_->currentData().toInt());
    o.group = group_->currentData().toInt();
    o.radix = radix_->value();
    o.opacity = opacity_->value() / 100.0;
    o.colormap = colormap_->currentText().toStdString();
    o.perMapScale = perMapScale_->isChecked();
    return o;
}

} // namespace resnest
