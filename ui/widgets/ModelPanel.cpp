#include "ui/widgets/ModelPanel.h"

#include "ui/widgets/ShortSideSpinBox.h"

#include <QAbstractItemView>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace resnest {

namespace {
constexpr int kMaxRecent = 10;
}

ModelPanel::ModelPanel(const QStringList& devices, QWidget* parent) : QWidget(parent) {
    task_ = new QComboBox;
    task_->addItem(tr("from checkpoint"), QString());
    task_->addItem(tr("classify"), QStringLiteral("classify"));
    task_->addItem(tr("segment"), QStringLiteral("segment"));
    task_->addItem(tr("detect"), QStringLiteral("detect"));
    checkpoint_ = new QComboBox;
    checkpoint_->setEditable(true);
    checkpoint_->setInsertPolicy(QComboBox::NoInsert);
    checkpoint_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    checkpoint_->setMinimumContentsLength(12);
    // Long paths lose their folders, never the file name that tells checkpoints apart.
    checkpoint_->view()->setTextElideMode(Qt::ElideLeft);
    checkpoint_->setToolTip(tr("Checkpoint file (.safetensors, .pth, .pt); the recent ones are in the list"));
    auto* browse = new QToolButton;
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(tr("Open a checkpoint"));
    arch_ = new QLineEdit;
    arch_->setPlaceholderText(tr("from the weights"));
    arch_->setToolTip(tr("Architecture name (resnest50, resnest101, ...) when the weights fit several, or "
                         "for random weights without a checkpoint"));
    device_ = new QComboBox;
    device_->addItems(devices);
    precision_ = new QComboBox;
    precision_->addItems({QStringLiteral("float32"), QStringLiteral("float16"), QStringLiteral("bfloat16"),
                          QStringLiteral("float64")});
    precision_->setToolTip(tr("float16 needs a GPU; bfloat16 runs on CPU but is slower there than float32"));
    shortSide_ = new ShortSideSpinBox;
    load_ = new QPushButton(tr("Load"));
    busy_ = new QProgressBar;
    busy_->setRange(0, 0);
    busy_->setMaximumHeight(8);
    busy_->setTextVisible(false);
    busy_->hide();
    status_ = new QLabel;
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* fileRow = new QHBoxLayout;
    fileRow->setContentsMargins(0, 0, 0, 0);
    fileRow->addWidget(checkpoint_, 1);
    fileRow->addWidget(browse);
    auto* form = new QFormLayout;
    form->addRow(tr("Task"), task_);
    form->addRow(tr("Checkpoint"), fileRow);
    form->addRow(tr("Architecture"), arch_);
    form->addRow(tr("Device"), device_);
    form->addRow(tr("Precision"), precision_);
    form->addRow(tr("Input (short side)"), shortSide_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(load_);
    layout->addWidget(busy_);
    layout->addWidget(status_);
    layout->addStretch(1);

    connect(browse, &QToolButton::clicked, this, &ModelPanel::chooseCheckpoint);
    connect(load_, &QPushButton::clicked, this, [this] { Q_EMIT loadRequested(request()); });
}

void ModelPanel::chooseCheckpoint() {
    const QString start =
        checkpoint_->currentText().isEmpty() ? QString() : QFileInfo(checkpoint_->currentText()).path();
    const QString p = QFileDialog::getOpenFileName(this, tr("Open checkpoint"), start,
                                                   tr("Checkpoints (*.safetensors *.pth *.pt *.bin *.ckpt);;"
                                                      "All files (*)"));
    if (p.isEmpty())
        return;
    checkpoint_->setCurrentText(p);
    Q_EMIT loadRequested(request());
}

void ModelPanel::showPath(const QString& path) {
    checkpoint_->setCurrentText(path);
    // The end of a path too long for the box: its file name.
    checkpoint_->lineEdit()->end(false);
}

ModelRequest ModelPanel::request() const {
    ModelRequest r;
    r.task = task_->currentData().toString();
    r.weights = checkpoint_->currentText().trimmed();
    r.arch = arch_->text().trimmed();
    r.device = device_->currentText();
    r.precision = precision_->currentText();
    r.shortSide = shortSide_->value();
    return r;
}

void ModelPanel::setRequest(const ModelRequest& r) {
    task_->setCurrentIndex(std::max(0, task_->findData(r.task)));
    showPath(r.weights);
    arch_->setText(r.arch);
    const int d = device_->findText(r.device);
    device_->setCurrentIndex(d >= 0 ? d : 0); // a GPU that is gone falls back to the CPU
    const int p = precision_->findText(r.precision);
    precision_->setCurrentIndex(p >= 0 ? p : 0);
    shortSide_->setValue(r.shortSide);
}

void ModelPanel::setRecentFiles(const QStringList& files) {
    recent_.clear();
    for (const QString& f : files)
        if (!f.isEmpty() && !recent_.contains(f) && recent_.size() < kMaxRecent)
            recent_ << f;
    const QString text = checkpoint_->currentText();
    checkpoint_->clear();
    for (const QString& f : recent_) {
        checkpoint_->addItem(f);
        checkpoint_->setItemData(checkpoint_->count() - 1, f, Qt::ToolTipRole);
    }
    // After the recent ones: the model zoo's downloaded checkpoints.
    for (const QString& f : zoo_) {
        if (recent_.contains(f))
            continue;
        checkpoint_->addItem(f);
        checkpoint_->setItemData(checkpoint_->count() - 1, tr("%1 (model zoo)").arg(f), Qt::ToolTipRole);
    }
    showPath(text);
}

void ModelPanel::setZooFiles(const QStringList& files) {
    zoo_ = files;
    setRecentFiles(recent_);
}

QStringList ModelPanel::checkpointChoices() const {
    QStringList out;
    for (int i = 0; i < checkpoint_->count(); ++i)
        out << checkpoint_->itemText(i);
    return out;
}

void ModelPanel::addRecent(const QString& path) {
    if (path.isEmpty())
        return;
    QStringList files = recent_;
    files.removeAll(path);
    files.prepend(path);
    setRecentFiles(files);
}

void ModelPanel::setLoading(const QString& what) {
    load_->setEnabled(false);
    busy_->show();
    status_->setText(tr("Loading %1…").arg(what));
}

void ModelPanel::setLoaded(const ModelSummary& summary) {
    load_->setEnabled(true);
    busy_->hide();
    QString text = summary.description;
    text += tr("\n%1 parameters · %2 · %3 · loaded in %4 ms")
                .arg(summary.info.parameters)
                .arg(summary.device, summary.precision)
                .arg(summary.loadMs, 0, 'f', 0);
    if (summary.randomWeights)
        text += tr("\nRandom weights: predictions mean nothing until you open a checkpoint.");
    status_->setText(text);
    shortSide_->setModelSide(summary.info.inputShortSide, summary.info.inputLongSide);
    addRecent(QString::fromStdString(summary.info.weightsPath));
}

void ModelPanel::setFailed(const QString& message, const QString& running) {
    load_->setEnabled(true);
    busy_->hide();
    QString text = tr("Could not load the model: %1").arg(message);
    if (!running.isEmpty())
        text += tr("\nStill running: %1").arg(running);
    status_->setText(text);
}

void ModelPanel::addNote(const QString& note) {
    status_->setText(status_->text() + QStringLiteral("\n") + note);
}

QString ModelPanel::statusText() const {
    return status_->text();
}

} // namespace resnest
