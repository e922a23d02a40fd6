#include "ui/widgets/PretrainedModelDialog.h"

#include "core/zoo/ModelZoo.h"
#include "core/zoo/ZooHome.h"
#include "ui/runtime/ZooFetchJob.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <set>

namespace resnest {

namespace {

QString megabytes(double bytes) {
    return QStringLiteral("%1 MB").arg(bytes / 1e6, 0, 'f', 1);
}

} // namespace

PretrainedModelDialog::PretrainedModelDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Open pretrained model"));
    task_ = new QComboBox;
    task_->addItem(tr("every task"), QString());
    task_->addItem(tr("classify"), QStringLiteral("classify"));
    task_->addItem(tr("segment"), QStringLiteral("segment"));
    task_->addItem(tr("detect"), QStringLiteral("detect"));
    dataset_ = new QComboBox;
    unsupported_ = new QCheckBox(tr("also heads this tool cannot run"));
    table_ = new QTreeWidget;
    table_->setHeaderLabels(
        {tr("Model"), tr("Task"), tr("Dataset"), tr("Published"), tr("Size"), tr("Cached")});
    table_->setRootIsDecorated(false);
    table_->setAlternatingRowColors(true);
    table_->header()->setStretchLastSection(false);
    table_->header()->setSectionResizeMode(3, QHeaderView::Stretch);
    status_ = new QLabel;
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    progress_ = new QProgressBar;
    progress_->hide();
    open_ = new QPushButton(tr("Download and open"));
    open_->setDefault(true);
    cancel_ = new QPushButton(tr("Cancel download"));
    cancel_->hide();
    auto* close = new QPushButton(tr("Close"));

    auto* filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Task")));
    filters->addWidget(task_);
    filters->addWidget(new QLabel(tr("Dataset")));
    filters->addWidget(dataset_);
    filters->addWidget(unsupported_);
    filters->addStretch(1);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(progress_, 1);
    buttons->addWidget(cancel_);
    buttons->addWidget(open_);
    buttons->addWidget(close);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(table_, 1);
    layout->addWidget(status_);
    layout->addLayout(buttons);
    resize(1100, 560);

    try {
        zoo_ = std::make_shared<const ModelZoo>(Catalogue::load());
        std::set<std::string> datasets;
        for (const CatalogueEntry& e : zoo_->catalogue().entries())
            datasets.insert(e.dataset);
        dataset_->addItem(tr("every dataset"), QString());
        for (const std::string& d : datasets)
            dataset_->addItem(QString::fromStdString(d), QString::fromStdString(d));
        status_->setText(tr("Downloads go to %1 and are checked against the published hash before use.")
                             .arg(QString::fromStdString(ZooHome::checkpoints())));
    } catch (const std::exception& e) {
        status_->setText(tr("The model catalogue cannot be read: %1").arg(QString::fromUtf8(e.what())));
    }
    fill();

    connect(task_, &QComboBox::currentIndexChanged, this, &PretrainedModelDialog::fill);
    connect(dataset_, &QComboBox::currentIndexChanged, this, &PretrainedModelDialog::fill);
    connect(unsupported_, &QCheckBox::toggled, this, &PretrainedModelDialog::fill);
    connect(table_, &QTreeWidget::itemDoubleClicked, this, [this] { openSelected(); });
    connect(table_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        open_->setText(item && !item->text(5).isEmpty() ? tr("Open") : tr("Download and open"));
    });
    connect(open_, &QPushButton::clicked, this, &PretrainedModelDialog::openSelected);
    connect(cancel_, &QPushButton::clicked, this, &PretrainedModelDialog::cancelDownload);
    connect(close, &QPushButton::clicked, this, &PretrainedModelDialog::reject);
    // One thread for the dialog's downloads, one at a time: the GUI thread never touches the network.
    thread_.setObjectName(QStringLiteral("zoo"));
    thread_.start();
}

PretrainedModelDialog::~PretrainedModelDialog() {
    cancelDownload();
    thread_.quit();
    thread_.wait();
}

void PretrainedModelDialog::fill() {
    table_->clear();
    if (!zoo_)
        return;
    const QString task = task_->currentData().toString(), dataset = dataset_->currentData().toString();
    for (const CatalogueEntry& e : zoo_->catalogue().entries()) {
        if ((!task.isEmpty() && QString::fromStdString(e.task) != task) ||
            (!dataset.isEmpty() && QString::fromStdString(e.dataset) != dataset) ||
            (!e.runnable && !unsupported_->isChecked()))
            continue;
        const std::string cached = zoo_->cached(e, false);
        auto* item = new QTreeWidgetItem(
            {QString::fromStdString(e.name), QString::fromStdString(e.task),
             QString::fromStdString(e.dataset), QString::fromStdString(e.metricText(", ")),
             e.size > 0 ? megabytes(double(e.size)) : QString(), cached.empty() ? QString() : tr("cached")});
        item->setData(0, Qt::UserRole, QString::fromStdString(e.name));
        item->setToolTip(0, QStringLiteral("%1 · %2 · %3\n%4")
                                .arg(QString::fromStdString(e.project), QString::fromStdString(e.arch),
                                     QString::fromStdString(e.head), QString::fromStdString(e.urls.front())));
        if (!e.runnable) {
            item->setDisabled(true);
            item->setToolTip(
                0, tr("Its head (%1) is not one this tool runs.").arg(QString::fromStdString(e.head)));
        }
        table_->addTopLevelItem(item);
    }
    for (int c = 0; c < table_->columnCount(); ++c)
        if (c != 3)
            table_->resizeColumnToContents(c);
}

int PretrainedModelDialog::rowCount() const {
    return table_->topLevelItemCount();
}

bool PretrainedModelDialog::select(const QString& name) {
    for (int i = 0; i < table_->topLevelItemCount(); ++i)
        if (table_->topLevelItem(i)->data(0, Qt::UserRole).toString() == name) {
            table_->setCurrentItem(table_->topLevelItem(i));
            return true;
        }
    return false;
}

QString PretrainedModelDialog::statusText() const {
    return status_->text();
}

void PretrainedModelDialog::setBusy(bool busy) {
    open_->setEnabled(!busy);
    table_->setEnabled(!busy);
    cancel_->setVisible(busy);
    progress_->setVisible(busy);
}

void PretrainedModelDialog::openSelected() {
    QTreeWidgetItem* item = table_->currentItem();
    if (!zoo_ || !item || item->isDisabled() || job_)
        return;
    const CatalogueEntry* entry =
        zoo_->catalogue().find(item->data(0, Qt::UserRole).toString().toStdString());
    if (!entry)
        return;
    auto* job = new ZooFetchJob(zoo_, *entry);
    job->moveToThread(&thread_);
    job_ = job;
    const QString name = QString::fromStdString(entry->name), task = QString::fromStdString(entry->task);
    connect(job, &ZooFetchJob::progress, this, [this, name](qint64 received, qint64 total, double rate) {
        progress_->setRange(0, total > 0 ? 1000 : 0);
        if (total > 0)
            progress_->setValue(int(1000.0 * double(received) / double(total)));
        const QString eta = rate > 0 && total > 0
                                ? tr(", %1 s left").arg(double(total - received) / rate, 0, 'f', 0)
                                : QString();
        status_->setText(tr("Downloading %1: %2 of %3 at %4/s%5")
                             .arg(name, megabytes(double(received)),
                                  total > 0 ? megabytes(double(total)) : tr("?"), megabytes(rate), eta));
    });
    auto done = [this, job] {
        setBusy(false);
        job_ = nullptr;
        job->deleteLater();
    };
    connect(job, &ZooFetchJob::finished, this, [this, done, task, name](const QString& path) {
        done();
        status_->setText(tr("%1 is ready: %2").arg(name, path));
        fill();
        Q_EMIT modelChosen(path, task);
        accept();
    });
    connect(job, &ZooFetchJob::failed, this, [this, done](const QString& message) {
        done();
        status_->setText(tr("Download failed: %1").arg(message));
    });
    connect(job, &ZooFetchJob::cancelled, this, [this, done, name] {
        done();
        status_->setText(
            tr("Download of %1 cancelled; what arrived is kept and the next try resumes it.").arg(name));
    });
    setBusy(true);
    progress_->setRange(0, 0);
    status_->setText(tr("Connecting for %1…").arg(name));
    QMetaObject::invokeMethod(job, "run", Qt::QueuedConnection);
}

void PretrainedModelDialog::cancelDownload() {
    if (job_)
        job_->cancel();
}

void PretrainedModelDialog::reject() {
    // Closing does not leave a download running behind a dialog nobody sees.
    cancelDownload();
    QDialog::reject();
}

} // namespace resnest
