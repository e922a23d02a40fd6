#include "ui/widgets/OverlayPanel.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPixmap>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>

namespace resnest {

OverlayPanel::OverlayPanel(QWidget* parent) : QWidget(parent) {
    opacity_ = new QSlider(Qt::Horizontal);
    opacity_->setRange(0, 100);
    opacity_->setValue(55);
    threshold_ = new QSlider(Qt::Horizontal);
    threshold_->setRange(5, 100);
    threshold_->setValue(50);
    thresholdValue_ = new QLabel(QStringLiteral("0.50"));
    outline_ = new QCheckBox(tr("outline masks"));
    classes_ = new QListWidget;
    classes_->setToolTip(tr("Untick a class to hide it in the overlay"));
    auto* all = new QPushButton(tr("All"));
    auto* none = new QPushButton(tr("None"));

    auto* thresholdRow = new QHBoxLayout;
    thresholdRow->addWidget(threshold_, 1);
    thresholdRow->addWidget(thresholdValue_);
    auto* form = new QFormLayout;
    form->addRow(tr("Opacity"), opacity_);
    form->addRow(tr("Score ≥"), thresholdRow);
    form->addRow(QString(), outline_);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(new QLabel(tr("Classes")), 1);
    buttons->addWidget(all);
    buttons->addWidget(none);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(classes_, 1);

    connect(opacity_, &QSlider::valueChanged, this, &OverlayPanel::changed);
    connect(threshold_, &QSlider::valueChanged, this, [this](int v) {
        thresholdValue_->setText(QString::number(v / 100.0, 'f', 2));
        changed();
    });
    connect(outline_, &QCheckBox::toggled, this, &OverlayPanel::changed);
    connect(classes_, &QListWidget::itemChanged, this, &OverlayPanel::changed);
    auto setAll = [this](Qt::CheckState state) {
        {
            QSignalBlocker block(classes_);
            for (int i = 0; i < classes_->count(); ++i)
                classes_->item(i)->setCheckState(state);
        }
        changed();
    };
    connect(all, &QPushButton::clicked, this, [setAll] { setAll(Qt::Checked); });
    connect(none, &QPushButton::clicked, this, [setAll] { setAll(Qt::Unchecked); });
}

void OverlayPanel::setLabels(const DatasetLabels& labels, ModelTask task) {
    task_ = task;
    QSignalBlocker block(classes_);
    classes_->clear();
    for (int i = 0; i < labels.size(); ++i) {
        // A detector never reports its background class: nothing to filter.
        if (task == ModelTask::Detect && i == 0 && labels.size() > 1)
            continue;
        const cv::Vec3b c = labels.color(i);
        QPixmap swatch(12, 12);
        swatch.fill(QColor(c[2], c[1], c[0]));
        const QString name = QString::fromStdString(labels.name(i));
        auto* item = new QListWidgetItem(QIcon(swatch), name);
        item->setData(Qt::UserRole, i);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        // A segmenter's background painted at the mask opacity would darken the whole photo: it starts
        // transparent. Whatever the user chose for a class name before wins.
        const bool hidden = choices_.contains(name) ? choices_.value(name).toBool()
                                                    : task == ModelTask::Segment && isBackground(name);
        item->setCheckState(hidden ? Qt::Unchecked : Qt::Checked);
        classes_->addItem(item);
    }
    // The threshold means something for detection only; the class list for all but classification.
    threshold_->setEnabled(task == ModelTask::Detect);
    classes_->setEnabled(task != ModelTask::Classify);
    opacity_->setEnabled(task != ModelTask::Classify);
    outline_->setEnabled(task != ModelTask::Classify);
}

OverlayOptions OverlayPanel::options() const {
    OverlayOptions o;
    o.segmentation.opacity = opacity();
    o.segmentation.outline = outline();
    o.detection.maskOpacity = opacity();
    o.detection.maskOutline = outline();
    o.detection.scoreThreshold = float(scoreThreshold());
    std::set<int> hidden;
    for (int i = 0; i < classes_->count(); ++i)
        if (classes_->item(i)->checkState() != Qt::Checked)
            hidden.insert(classes_->item(i)->data(Qt::UserRole).toInt());
    PredictionRenderer::hideClasses(o, hidden);
    return o;
}

double OverlayPanel::opacity() const {
    return opacity_->value() / 100.0;
}

void OverlayPanel::setOpacity(double opacity) {
    opacity_->setValue(int(std::lround(opacity * 100)));
}

double OverlayPanel::scoreThreshold() const {
    return threshold_->value() / 100.0;
}

void OverlayPanel::setScoreThreshold(double threshold) {
    threshold_->setValue(int(std::lround(threshold * 100)));
}

bool OverlayPanel::outline() const {
    return outline_->isChecked();
}

void OverlayPanel::setOutline(bool on) {
    outline_->setChecked(on);
}

void OverlayPanel::setClassHidden(int index, bool hidden) {
    for (int i = 0; i < classes_->count(); ++i)
        if (classes_->item(i)->data(Qt::UserRole).toInt() == index)
            classes_->item(i)->setCheckState(hidden ? Qt::Unchecked : Qt::Checked);
}

QVariantMap OverlayPanel::classChoices() const {
    return choices_;
}

void OverlayPanel::setClassChoices(const QVariantMap& choices) {
    choices_ = choices;
    QSignalBlocker block(classes_);
    for (int i = 0; i < classes_->count(); ++i) {
        QListWidgetItem* item = classes_->item(i);
        if (choices_.contains(item->text()))
            item->setCheckState(choices_.value(item->text()).toBool() ? Qt::Unchecked : Qt::Checked);
    }
}

bool OverlayPanel::isBackground(const QString& name) {
    return name == QLatin1String("__background__") ||
           name.compare(QLatin1String("background"), Qt::CaseInsensitive) == 0;
}

void OverlayPanel::changed() {
    for (int i = 0; i < classes_->count(); ++i) {
        const QListWidgetItem* item = classes_->item(i);
        const bool hidden = item->checkState() != Qt::Checked;
        // Only what differs from the default is a choice to keep.
        const bool byDefault = task_ == ModelTask::Segment && isBackground(item->text());
        if (hidden == byDefault && !choices_.contains(item->text()))
            continue;
        choices_.insert(item->text(), hidden);
    }
    Q_EMIT optionsChanged(options());
}

} // namespace resnest
