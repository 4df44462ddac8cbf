"""Official documents shaped as Party and state documents are, for the header and structure
parsers, with what each should be read as. Written for these tests from the passages the
sample articles quote; their bodies are short and partly made up, their headers follow
the forms of Quy định 66-QĐ/TW and of laws, and the signers of the two local documents
are made-up names.

Each document is a list of rows; a row is a list of cells, the columns of the header and
of the signer's block. Writers turn them into TXT (cells apart by spaces), DOCX (rows with
two cells become a table) and PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import docx
from fpdf import FPDF

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

Rows = list[list[str]]


@dataclass(frozen=True)
class Sample:
    name: str
    rows: Rows
    kind: str
    number: str
    issuer: str
    date: str
    title: str
    place: str
    signer: str
    recipients: tuple[str, ...]
    units: list[str] = field(default_factory=list)  # the structural units, in order
    header_rows: int = 0  # the rows up to the title: centred, as such headers are


CHI_THI_05 = Sample(
    name="chi-thi-05",
    rows=[
        ["BAN CHẤP HÀNH TRUNG ƯƠNG", "ĐẢNG CỘNG SẢN VIỆT NAM"],
        ["*", ""],
        ["Số 05-CT/TW", "Hà Nội, ngày 15 tháng 5 năm 2016"],
        ["CHỈ THỊ"],
        ["CỦA BỘ CHÍNH TRỊ"],
        ["về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"],
        ["-----"],
        [
            "Sau 5 năm thực hiện Chỉ thị số 03-CT/TW của Bộ Chính trị khóa XI về tiếp tục đẩy "
            "mạnh việc học tập và làm theo tấm gương đạo đức Hồ Chí Minh, nhận thức của cán "
            "bộ, đảng viên và nhân dân về tư tưởng, đạo đức, phong cách Hồ Chí Minh được nâng lên."
        ],
        ["Để tiếp tục đẩy mạnh việc học tập và làm theo Bác, Bộ Chính trị yêu cầu:"],
        ["I. MỤC ĐÍCH, YÊU CẦU"],
        [
            "1. Việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh là nội dung "
            "quan trọng trong công tác xây dựng Đảng, thường xuyên ở mỗi cấp ủy, chi bộ."
        ],
        [
            "2. Gắn việc thực hiện Chỉ thị này với thực hiện Nghị quyết Trung ương 4 khóa XII "
            "về tăng cường xây dựng, chỉnh đốn Đảng."
        ],
        ["II. NỘI DUNG HỌC TẬP VÀ LÀM THEO"],
        [
            "1. Về tư tưởng Hồ Chí Minh: học tập những quan điểm về độc lập dân tộc gắn liền với "
            "chủ nghĩa xã hội, về xây dựng Đảng trong sạch, vững mạnh."
        ],
        ["2. Về đạo đức Hồ Chí Minh: trung với nước, hiếu với dân; cần, kiệm, liêm, chính."],
        [
            "3. Về phong cách Hồ Chí Minh: phong cách tư duy độc lập, tự chủ, sáng tạo; phong "
            "cách làm việc dân chủ, khoa học, cụ thể."
        ],
        ["a) Người đứng đầu gương mẫu trước tập thể."],
        ["b) Mỗi chi bộ đăng ký việc làm theo hằng năm."],
        ["III. TỔ CHỨC THỰC HIỆN"],
        [
            "1. Các tỉnh ủy, thành ủy xây dựng kế hoạch thực hiện Chỉ thị, báo cáo Ban Bí thư "
            "kết quả hằng năm."
        ],
        ["2. Chỉ thị này được phổ biến đến chi bộ."],
        ["", "T/M BỘ CHÍNH TRỊ"],
        ["", "TỔNG BÍ THƯ"],
        ["Nơi nhận:", "(Đã ký)"],
        ["- Các tỉnh ủy, thành ủy,", "Nguyễn Phú Trọng"],
        ["- Lưu Văn phòng Trung ương Đảng."],
    ],
    kind="Chỉ thị",
    number="05-CT/TW",
    issuer="Bộ Chính trị",
    date="2016-05-15",
    title="về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    place="Hà Nội",
    signer="T/M Bộ Chính trị, Tổng Bí thư, Nguyễn Phú Trọng",
    recipients=("Các tỉnh ủy, thành ủy", "Lưu Văn phòng Trung ương Đảng"),
    units=["", "Mục I.1", "Mục I.2", "Mục II.1", "Mục II.2", "Mục II.3", "Mục III.1", "Mục III.2"],
    header_rows=6,
)

QUY_DINH_03 = Sample(
    name="quy-dinh-03",
    rows=[
        ["TỈNH ỦY LÀO CAI", "ĐẢNG CỘNG SẢN VIỆT NAM"],
        ["THÀNH ỦY LÀO CAI", ""],
        ["*", ""],
        ["Số 03-QĐ/TU", "Lào Cai, ngày 10 tháng 9 năm 2018"],
        ["QUY ĐỊNH"],
        ["về tiêu chuẩn chức danh cán bộ lãnh đạo, quản lý thuộc diện"],
        ["Ban Thường vụ Thành ủy quản lý"],
        ["-----"],
        ["Căn cứ Điều lệ Đảng; Căn cứ Quy chế làm việc của Thành ủy khóa XXI;"],
        ["Ban Thường vụ Thành ủy quy định như sau:"],
        ["Chương I"],
        ["QUY ĐỊNH CHUNG"],
        ["Điều 1. Phạm vi điều chỉnh"],
        [
            "Quy định này quy định tiêu chuẩn chức danh cán bộ lãnh đạo, quản lý thuộc diện "
            "Ban Thường vụ Thành ủy quản lý, làm cơ sở để chuẩn hóa đội ngũ."
        ],
        ["Điều 2. Đối tượng áp dụng"],
        ["1. Cán bộ lãnh đạo các phòng, ban, ngành, đoàn thể thành phố."],
        ["2. Bí thư, phó bí thư đảng ủy các xã, phường."],
        ["Chương II"],
        ["TIÊU CHUẨN"],
        ["Điều 3. Tiêu chuẩn chung"],
        ["1. Về chính trị, tư tưởng:"],
        ["a) Tuyệt đối trung thành với lợi ích của Đảng, của quốc gia, dân tộc và nhân dân."],
        ["b) Kiên định chủ nghĩa Mác - Lênin, tư tưởng Hồ Chí Minh."],
        ["2. Về đạo đức, lối sống: có phẩm chất đạo đức trong sáng, lối sống giản dị."],
        ["Điều 4. Hiệu lực thi hành"],
        ["Quy định này có hiệu lực từ ngày ký."],
        ["", "T/M BAN THƯỜNG VỤ"],
        ["", "BÍ THƯ"],
        ["Nơi nhận: - Ban Thường vụ Tỉnh ủy,", ""],
        ["- Như Điều 2,", "Trần Văn Bình"],
        ["- Lưu Văn phòng Thành ủy."],
    ],
    kind="Quy định",
    number="03-QĐ/TU",
    issuer="Thành ủy Lào Cai",
    date="2018-09-10",
    title=(
        "về tiêu chuẩn chức danh cán bộ lãnh đạo, quản lý thuộc diện "
        "Ban Thường vụ Thành ủy quản lý"
    ),
    place="Lào Cai",
    signer="T/M Ban Thường vụ, Bí thư, Trần Văn Bình",
    recipients=("Ban Thường vụ Tỉnh ủy", "Như Điều 2", "Lưu Văn phòng Thành ủy"),
    units=["", "Điều 1", "Điều 2", "Điều 3", "Điều 4"],
    header_rows=7,
)

NGHI_QUYET_09 = Sample(
    name="nghi-quyet-09",
    rows=[
        ["THÀNH ỦY HÀ NỘI", "ĐẢNG CỘNG SẢN VIỆT NAM"],
        ["*", ""],
        ["Số 09-NQ/TU", "Hà Nội, ngày 27 tháng 2 năm 2012"],
        ["NGHỊ QUYẾT"],
        ["CỦA BAN THƯỜNG VỤ THÀNH ỦY"],
        [
            "về tăng cường công tác xây dựng đảng và các đoàn thể nhân dân trong các doanh "
            "nghiệp ngoài khu vực nhà nước"
        ],
        [
            "Những năm qua, số doanh nghiệp ngoài khu vực nhà nước trên địa bàn thành phố tăng "
            "nhanh; tổ chức đảng và đoàn thể trong các doanh nghiệp này còn ít."
        ],
        ["Ban Thường vụ Tỉnh ủy quyết nghị:"],
        [
            "1. Các cấp ủy coi trọng công tác phát triển đảng viên trong doanh nghiệp ngoài "
            "khu vực nhà nước."
        ],
        [
            "2. Phấn đấu đến năm 2015, 100% doanh nghiệp có đủ điều kiện đều thành lập tổ "
            "chức đảng."
        ],
        ["", "T/M BAN THƯỜNG VỤ"],
        ["", "PHÓ BÍ THƯ THƯỜNG TRỰC"],
        ["Nơi nhận:", ""],
        ["- Ban Bí thư Trung ương,", ""],
        ["- Các quận ủy, huyện ủy,", "Nguyễn Văn An"],
    ],
    kind="Nghị quyết",
    number="09-NQ/TU",
    issuer="Ban Thường vụ Thành ủy Hà Nội",
    date="2012-02-27",
    title=(
        "về tăng cường công tác xây dựng đảng và các đoàn thể nhân dân trong các doanh "
        "nghiệp ngoài khu vực nhà nước"
    ),
    place="Hà Nội",
    signer="T/M Ban Thường vụ, Phó Bí thư Thường trực, Nguyễn Văn An",
    recipients=("Ban Bí thư Trung ương", "Các quận ủy, huyện ủy"),
    units=["", "Mục 1", "Mục 2"],
    header_rows=6,
)

LUAT_MA_TUY = Sample(
    name="luat-phong-chong-ma-tuy",
    rows=[
        ["QUỐC HỘI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["-------", "Độc lập - Tự do - Hạnh phúc"],
        ["Luật số: 73/2021/QH14", "Hà Nội, ngày 30 tháng 3 năm 2021"],
        ["LUẬT"],
        ["PHÒNG, CHỐNG MA TÚY"],
        [
            "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam; Quốc hội ban hành Luật "
            "Phòng, chống ma túy."
        ],
        ["Chương I"],
        ["NHỮNG QUY ĐỊNH CHUNG"],
        ["Điều 1. Phạm vi điều chỉnh"],
        [
            "Luật này quy định về phòng, chống ma túy; quản lý người sử dụng trái phép chất ma "
            "túy; cai nghiện ma túy."
        ],
        ["Điều 2. Giải thích từ ngữ"],
        ["Trong Luật này, các từ ngữ dưới đây được hiểu như sau:"],
        [
            "1. Chất ma túy là chất gây nghiện, chất hướng thần được quy định trong danh mục "
            "chất ma túy do Chính phủ ban hành."
        ],
        ["2. Chất gây nghiện là chất kích thích hoặc ức chế thần kinh."],
        ["Chương II"],
        ["TRÁCH NHIỆM PHÒNG, CHỐNG MA TÚY"],
        ["Điều 3. Trách nhiệm của cá nhân, gia đình"],
        ["Cá nhân, gia đình có trách nhiệm giáo dục thành viên trong gia đình về tác hại ma túy."],
        [
            "Luật này được Quốc hội nước Cộng hòa xã hội chủ nghĩa Việt Nam khóa XIV, kỳ họp "
            "thứ 11 thông qua ngày 30 tháng 3 năm 2021."
        ],
        ["", "CHỦ TỊCH QUỐC HỘI"],
        ["", "Nguyễn Thị Kim Ngân"],
    ],
    kind="Luật",
    number="73/2021/QH14",
    issuer="Quốc hội",
    date="2021-03-30",
    title="Phòng, chống ma túy",
    place="Hà Nội",
    signer="Chủ tịch Quốc hội, Nguyễn Thị Kim Ngân",
    recipients=(),
    units=["", "Điều 1", "Điều 2", "Điều 3"],
    header_rows=5,
)

KET_LUAN_21 = Sample(  # one column: every header field on a line of its own
    name="ket-luan-21",
    rows=[
        ["ĐẢNG CỘNG SẢN VIỆT NAM"],
        ["BAN CHẤP HÀNH TRUNG ƯƠNG"],
        ["Số 21-KL/TW"],
        ["Hà Nội, ngày 25 tháng 10 năm 2021"],
        ["KẾT LUẬN"],
        ["HỘI NGHỊ LẦN THỨ TƯ BAN CHẤP HÀNH TRUNG ƯƠNG ĐẢNG KHÓA XIII"],
        ["về đẩy mạnh xây dựng, chỉnh đốn Đảng và hệ thống chính trị"],
        [
            "Hội nghị Trung ương 4 khóa XIII đã thảo luận, thống nhất đánh giá kết quả thực hiện "
            "Nghị quyết Trung ương 4 khóa XI, khóa XII về xây dựng, chỉnh đốn Đảng."
        ],
        ["Ban Chấp hành Trung ương yêu cầu các cấp ủy, tổ chức đảng tập trung làm tốt:"],
        ["1. Kiên quyết ngăn chặn, đẩy lùi suy thoái về tư tưởng chính trị, đạo đức, lối sống."],
        ["2. Tiếp tục đổi mới tổ chức bộ máy của hệ thống chính trị tinh gọn, hoạt động hiệu quả"],
        ["T/M BAN CHẤP HÀNH TRUNG ƯƠNG"],
        ["TỔNG BÍ THƯ"],
        ["Nguyễn Phú Trọng"],
    ],
    kind="Kết luận",
    number="21-KL/TW",
    issuer="Ban Chấp hành Trung ương",
    date="2021-10-25",
    title=(
        "Hội nghị lần thứ tư Ban Chấp hành Trung ương Đảng khóa XIII về đẩy mạnh xây dựng, "
        "chỉnh đốn Đảng và hệ thống chính trị"
    ),
    place="Hà Nội",
    signer="T/M Ban Chấp hành Trung ương, Tổng Bí thư, Nguyễn Phú Trọng",
    recipients=(),
    units=["", "Mục 1", "Mục 2"],
    header_rows=7,
)

SAMPLES = [CHI_THI_05, QUY_DINH_03, NGHI_QUYET_09, LUAT_MA_TUY, KET_LUAN_21]


def write_txt(sample: Sample, directory: Path) -> Path:
    path = directory / f"{sample.name}.txt"
    lines = ["        ".join(cell for cell in row if cell) for row in sample.rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_docx(sample: Sample, directory: Path) -> Path:
    """Two-column rows in a borderless table, as the header and signer's block are set."""
    document = docx.Document()
    rows = sample.rows
    i = 0
    while i < len(rows):
        if len(rows[i]) == 2:
            run = [rows[i]]
            while i + len(run) < len(rows) and len(rows[i + len(run)]) == 2:
                run.append(rows[i + len(run)])
            table = document.add_table(rows=len(run), cols=2)
            for r, (left, right) in enumerate(run):
                table.rows[r].cells[0].text = left
                table.rows[r].cells[1].text = right
            i += len(run)
        else:
            document.add_paragraph(rows[i][0])
            i += 1
    path = directory / f"{sample.name}.docx"
    document.save(str(path))
    return path


def write_pdf(sample: Sample, directory: Path) -> Path:
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=10)
    for k, row in enumerate(sample.rows):
        if k < sample.header_rows and len(row) == 1:
            pdf.set_x(35)
            pdf.multi_cell(140, 6, row[0], align="C", new_x="LMARGIN", new_y="NEXT")
        elif len(row) == 2:
            y = pdf.get_y()
            pdf.set_xy(10, y)
            pdf.cell(85, 6, row[0])
            pdf.set_xy(105, y)
            pdf.cell(95, 6, row[1], new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.multi_cell(0, 6, row[0], new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    path = directory / f"{sample.name}.pdf"
    pdf.output(str(path))
    return path


WRITERS = {"txt": write_txt, "docx": write_docx, "pdf": write_pdf}
